// SPDX-License-Identifier: MIT
#include "console.h"

#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static bool active;

void console_raw_end(void)
{
	if (active) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		active = false;
	}
}

void console_raw_begin(void)
{
	struct termios raw;

	if (active || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) < 0)
		return;
	raw = saved;
	/* Bytes pass through untouched except that ISIG keeps Ctrl-C a signal
	 * and OPOST keeps "\n" returning the carriage on output. */
	raw.c_iflag &=
	    ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | IEXTEN);
	raw.c_cflag |= CS8;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) {
		active = true;
		atexit(console_raw_end);
	}
}
