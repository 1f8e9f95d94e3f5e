/* SPDX-License-Identifier: MIT */
/*
 * Private interface between the vm.toml parser (toml.c), which builds the
 * value tree, and its lexical layer (toml_lex.c). Not for use elsewhere.
 */
#ifndef SEVM_SRC_VMM_TOML_LEX_H
#define SEVM_SRC_VMM_TOML_LEX_H
#include "toml.h"

struct parser {
	const char *s;
	size_t len;
	size_t i;      /* current offset */
	size_t *lines; /* offset of the start of each line */
	size_t nlines;
	struct toml_error *err;
	struct toml_value *root;
	char path[256]; /* key path of the current context, for messages */
	size_t path_len;
};

/* Index lines, validate UTF-8 and skip a byte order mark; p->lines must be freed. */
int toml_lex_init(struct parser *p);
struct toml_pos toml_lex_pos(const struct parser *p, size_t off);
/* Record an error at offset off; returns -EINVAL. */
int toml_lex_fail(struct parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record "out of memory"; returns -ENOMEM. */
int toml_lex_nomem(struct parser *p);
/* Describe the character at off for a message: 'x', U+0001 or end of input. */
const char *toml_lex_describe(const struct parser *p, size_t off, char buf[24]);
bool toml_lex_is_bare(int c);
/* Skip a comment, if any, up to the end of the line. */
int toml_lex_skip_comment(struct parser *p);
/* Skip whitespace, newlines and comments (inside arrays). */
int toml_lex_skip_ws_nl(struct parser *p);
/* Is the bare word w at p->i + k, not followed by another bare-key character? */
bool toml_lex_match_word(const struct parser *p, size_t k, const char *w);
/* Any kind of string at p->i; *out is set (and must be freed) on success only. */
int toml_lex_string(struct parser *p, char **out, bool is_key);
/* An integer at p->i; rejects floats and dates/times. */
int toml_lex_integer(struct parser *p, int64_t *out);

static inline int peek(const struct parser *p, size_t k)
{
	return p->i + k < p->len ? (unsigned char)p->s[p->i + k] : -1;
}

static inline bool is_eol_at(const struct parser *p, size_t k)
{
	int c = peek(p, k);

	return c == -1 || c == '\n' || (c == '\r' && peek(p, k + 1) == '\n');
}

static inline bool at_eol(const struct parser *p)
{
	return is_eol_at(p, 0);
}

static inline void skip_eol(struct parser *p)
{
	p->i += peek(p, 0) == '\r' ? 2 : peek(p, 0) == '\n' ? 1 : 0;
}

static inline void skip_ws(struct parser *p)
{
	while (peek(p, 0) == ' ' || peek(p, 0) == '\t')
		p->i++;
}
#endif
