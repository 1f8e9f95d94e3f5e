/* SPDX-License-Identifier: MIT */
/*
 * Minimal TOML parser for vm.toml.
 *
 * Supports the TOML v1.0.0 subset the VMM needs: comments, bare/quoted/dotted
 * keys, [table] and [[array.of.tables]] headers, all four string kinds,
 * integers (decimal, 0x, 0o, 0b), booleans, arrays and inline tables.
 * Floats and dates/times are rejected with an error at their position.
 */
#ifndef SEVM_SRC_VMM_TOML_H
#define SEVM_SRC_VMM_TOML_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct toml_pos {
	unsigned line; /* 1-based */
	unsigned col;  /* 1-based, in bytes */
};

enum toml_type { TOML_STRING, TOML_INTEGER, TOML_BOOLEAN, TOML_ARRAY, TOML_TABLE };

struct toml_value;

struct toml_kv {
	char *key;		 /* one key segment, unescaped */
	struct toml_pos key_pos; /* where that key segment starts */
	struct toml_value *value;
};

struct toml_value {
	enum toml_type type;
	/*
	 * Start of the value; for a [table] its header, for an implicitly
	 * created table the first key that created it.
	 */
	struct toml_pos pos;
	union {
		char *str; /* NUL-terminated UTF-8 */
		int64_t integer;
		bool boolean;
		struct {
			struct toml_value **items;
			size_t len;
		} array;
		struct {
			struct toml_kv *items;
			size_t len;
		} table; /* insertion order kept */
	} u;
};

struct toml_error {
	struct toml_pos pos;
	char msg[200]; /* lower-case, no trailing period, e.g. "expected '=' after key" */
};

/*
 * Parse text (need not be NUL-terminated). On success returns 0 and *root is a
 * TOML_TABLE. On failure returns -EINVAL and fills *err with the position and
 * a message (-ENOMEM with "out of memory" if an allocation fails); *root is
 * then NULL. err may be NULL.
 *
 * An error points at the offending character, except that an unterminated
 * string, array, inline table or header points at its opening delimiter and
 * an out-of-range, floating-point or date/time value at its first character.
 * Limits: arrays/inline tables nest at most 64 deep, a key has at most 64
 * dotted parts; "\u0000" escapes are rejected.
 */
int toml_parse(const char *text, size_t len, struct toml_value **root, struct toml_error *err)
    __attribute__((warn_unused_result));
void toml_free(struct toml_value *root);
/* Direct child of a table by key, or NULL (also NULL if table is not a TOML_TABLE). */
const struct toml_value *toml_table_get(const struct toml_value *table, const char *key);
/* "string", "integer", "boolean", "array", "table" */
const char *toml_type_name(enum toml_type type);
#endif
