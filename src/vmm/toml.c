// SPDX-License-Identifier: MIT
/*
 * Minimal TOML parser for vm.toml (see toml.h for the supported subset).
 *
 * The input is indexed by line and checked to be valid UTF-8 up front, then
 * parsed by a recursive-descent parser working on byte offsets; positions are
 * derived from offsets with the line index. The lexical layer (strings,
 * integers, comments, errors) is in toml_lex.c.
 *
 * Every value is allocated as a struct node, which carries private flags
 * used to enforce TOML's table definition rules.
 */
#include "toml_lex.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64	/* nesting of arrays and inline tables */
#define MAX_KEY_SEGS 64 /* parts of one dotted key or header */

enum {
	F_IMPLICIT = 1 << 0, /* table created as the parent in a [header] */
	F_DEFINED = 1 << 1,  /* table defined by [header] or [[header]] */
	F_DOTTED = 1 << 2,   /* table created by a dotted key */
	F_INLINE = 1 << 3,   /* inline table: sealed once parsed */
	F_AOT = 1 << 4,	     /* array created by [[header]] */
};

struct node {
	struct toml_value v; /* must be first: values are freed as nodes */
	unsigned flags;
	size_t cap;
};

struct key_seg {
	char *s;
	size_t off;
};

struct key {
	struct key_seg seg[MAX_KEY_SEGS];
	size_t n;
};

static struct node *node_of(struct toml_value *v)
{
	return (struct node *)v;
}

/* ---- messages ---- */

static const char *a_type(enum toml_type t)
{
	switch (t) {
	case TOML_STRING:
		return "a string";
	case TOML_INTEGER:
		return "an integer";
	case TOML_BOOLEAN:
		return "a boolean";
	case TOML_ARRAY:
		return "an array";
	case TOML_TABLE:
		return "a table";
	}
	return "a value";
}

/* Append s to the path, truncating it if it gets too long. */
static void path_add(struct parser *p, const char *s)
{
	size_t n = strlen(s), room = sizeof(p->path) - 1 - p->path_len;

	n = n < room ? n : room;
	memcpy(p->path + p->path_len, s, n);
	p->path_len += n;
	p->path[p->path_len] = '\0';
}

/*
 * Append a key segment, quoted and escaped unless bare; returns the length to
 * pop back to.
 */
static size_t path_push(struct parser *p, const char *seg)
{
	size_t old = p->path_len;
	bool bare = seg[0] != '\0';

	for (const char *c = seg; *c; c++)
		bare = bare && toml_lex_is_bare((unsigned char)*c);
	path_add(p, old ? "." : "");
	if (bare) {
		path_add(p, seg);
		return old;
	}
	path_add(p, "\"");
	for (const char *c = seg; *c; c++) {
		unsigned char u = (unsigned char)*c;
		char esc[8] = {*c, '\0'};

		if (u < 0x20 || u == 0x7f)
			snprintf(esc, sizeof(esc), "\\u%04X", u);
		else if (u == '"' || u == '\\')
			snprintf(esc, sizeof(esc), "\\%c", u);
		path_add(p, esc);
	}
	path_add(p, "\"");
	return old;
}

static size_t path_push_index(struct parser *p, size_t idx)
{
	size_t old = p->path_len;
	char buf[24];

	snprintf(buf, sizeof(buf), "[%zu]", idx);
	path_add(p, buf);
	return old;
}

static void path_pop(struct parser *p, size_t old)
{
	p->path_len = old;
	p->path[old] = '\0';
}

/* ---- values ---- */

static struct node *node_new(struct parser *p, enum toml_type type, size_t off)
{
	struct node *n = calloc(1, sizeof(*n));

	if (n) {
		n->v.type = type;
		n->v.pos = toml_lex_pos(p, off);
	}
	return n;
}

void toml_free(struct toml_value *v)
{
	size_t i;

	if (!v)
		return;
	switch (v->type) {
	case TOML_STRING:
		free(v->u.str);
		break;
	case TOML_ARRAY:
		for (i = 0; i < v->u.array.len; i++)
			toml_free(v->u.array.items[i]);
		free(v->u.array.items);
		break;
	case TOML_TABLE:
		for (i = 0; i < v->u.table.len; i++) {
			free(v->u.table.items[i].key);
			toml_free(v->u.table.items[i].value);
		}
		free(v->u.table.items);
		break;
	default:
		break;
	}
	free(node_of(v));
}

/*
 * Make room for one more element of size sz in items, of which len are used.
 * Returns the (possibly moved) items, or NULL with items untouched.
 */
static void *grow(struct node *n, void *items, size_t len, size_t sz)
{
	size_t cap = n->cap ? n->cap * 2 : 4;
	void *b;

	if (items && len < n->cap)
		return items;
	b = realloc(items, cap * sz);
	if (b)
		n->cap = cap;
	return b;
}

/* Append to an array; takes ownership of v even on failure. */
static int arr_add(struct parser *p, struct toml_value *a, struct toml_value *v)
{
	struct toml_value **items =
	    grow(node_of(a), a->u.array.items, a->u.array.len, sizeof(*items));

	if (!items) {
		toml_free(v);
		return toml_lex_nomem(p);
	}
	a->u.array.items = items;
	items[a->u.array.len++] = v;
	return 0;
}

/* Add key to a table; takes ownership of key and v even on failure. */
static int tbl_add(struct parser *p, struct toml_value *t, char *key, size_t off,
		   struct toml_value *v)
{
	struct toml_kv *items = grow(node_of(t), t->u.table.items, t->u.table.len, sizeof(*items));

	if (!items) {
		free(key);
		toml_free(v);
		return toml_lex_nomem(p);
	}
	t->u.table.items = items;
	items[t->u.table.len++] =
	    (struct toml_kv){.key = key, .key_pos = toml_lex_pos(p, off), .value = v};
	return 0;
}

static struct toml_value *tbl_find(const struct toml_value *t, const char *key)
{
	for (size_t i = 0; i < t->u.table.len; i++)
		if (!strcmp(t->u.table.items[i].key, key))
			return t->u.table.items[i].value;
	return NULL;
}

const struct toml_value *toml_table_get(const struct toml_value *table, const char *key)
{
	if (!table || !key || table->type != TOML_TABLE)
		return NULL;
	return tbl_find(table, key);
}

const char *toml_type_name(enum toml_type type)
{
	switch (type) {
	case TOML_STRING:
		return "string";
	case TOML_INTEGER:
		return "integer";
	case TOML_BOOLEAN:
		return "boolean";
	case TOML_ARRAY:
		return "array";
	case TOML_TABLE:
		return "table";
	}
	return "unknown";
}

/* ---- keys ---- */

static void key_free(struct key *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->seg[i].s);
	k->n = 0;
}

/* Parse a (possibly dotted) key; skips whitespace around it. */
static int parse_key(struct parser *p, struct key *k)
{
	size_t off, end;
	char *s, buf[24];
	int c, rc;

	k->n = 0;
	for (;;) {
		skip_ws(p);
		off = p->i;
		c = peek(p, 0);
		if (k->n == MAX_KEY_SEGS)
			return toml_lex_fail(p, off, "key has too many parts");
		if (c == '"' || c == '\'') {
			rc = toml_lex_string(p, &s, true);
			if (rc)
				return rc;
		} else if (toml_lex_is_bare(c)) {
			while (toml_lex_is_bare(peek(p, 0)))
				p->i++;
			s = strndup(p->s + off, p->i - off);
			if (!s)
				return toml_lex_nomem(p);
		} else if (c <= 0 || at_eol(p) || strchr("=.]},#", c)) {
			return toml_lex_fail(p, off, "empty bare key");
		} else {
			return toml_lex_fail(p, off, "invalid character %s in key",
					     toml_lex_describe(p, off, buf));
		}
		k->seg[k->n].s = s;
		k->seg[k->n++].off = off;
		end = p->i;
		skip_ws(p);
		if (peek(p, 0) == '.') {
			p->i++;
			continue;
		}
		c = peek(p, 0);
		if (end == p->i && !at_eol(p) && (c == 0 || !strchr("=]},#", c)))
			return toml_lex_fail(p, p->i, "invalid character %s in key",
					     toml_lex_describe(p, p->i, buf));
		return 0;
	}
}

/* ---- key/value pairs, arrays and inline tables ---- */

static int parse_value(struct parser *p, struct toml_value **out, int depth);

/* Creates the table a key segment names under *t and descends into it. */
static int add_child_table(struct parser *p, struct toml_value **t, struct key_seg *seg,
			   unsigned flags)
{
	struct node *n = node_new(p, TOML_TABLE, seg->off);
	int rc;

	if (!n)
		return toml_lex_nomem(p);
	n->flags = flags;
	rc = tbl_add(p, *t, seg->s, seg->off, &n->v);
	seg->s = NULL;
	*t = &n->v;
	return rc;
}

/* Descend through one segment of a dotted key in a key/value pair. */
static int descend_dotted(struct parser *p, struct toml_value **t, struct key_seg *seg)
{
	struct toml_value *c = tbl_find(*t, seg->s);
	struct node *n;

	if (!c)
		return add_child_table(p, t, seg, F_DOTTED);
	if (c->type != TOML_TABLE)
		return toml_lex_fail(p, seg->off, "key '%s' is %s, not a table", p->path,
				     a_type(c->type));
	n = node_of(c);
	if (n->flags & F_INLINE)
		return toml_lex_fail(p, seg->off, "inline table '%s' cannot be extended", p->path);
	if (n->flags & F_DEFINED)
		return toml_lex_fail(p, seg->off, "table '%s' defined twice", p->path);
	n->flags = F_DOTTED;
	*t = c;
	return 0;
}

/* key = value, into table tbl. */
static int parse_keyval(struct parser *p, struct toml_value *tbl, int depth)
{
	size_t old = p->path_len, i;
	struct toml_value *t = tbl, *v;
	struct key_seg *last;
	struct key k;
	int rc;

	rc = parse_key(p, &k);
	if (rc)
		goto out;
	if (peek(p, 0) != '=') {
		rc = toml_lex_fail(p, p->i, "expected '=' after key");
		goto out;
	}
	p->i++;
	skip_ws(p);
	for (i = 0; i + 1 < k.n && !rc; i++) {
		path_push(p, k.seg[i].s);
		rc = descend_dotted(p, &t, &k.seg[i]);
	}
	if (rc)
		goto out;
	last = &k.seg[k.n - 1];
	path_push(p, last->s);
	if (tbl_find(t, last->s)) {
		rc = toml_lex_fail(p, last->off, "duplicate key '%s'", p->path);
		goto out;
	}
	rc = parse_value(p, &v, depth);
	if (!rc) {
		rc = tbl_add(p, t, last->s, last->off, v);
		last->s = NULL;
	}
out:
	path_pop(p, old);
	key_free(&k);
	return rc;
}

static int parse_array(struct parser *p, struct toml_value **out, int depth)
{
	size_t start = p->i, old;
	struct toml_value *v;
	struct node *a;
	int rc;

	if (depth >= MAX_DEPTH)
		return toml_lex_fail(p, start, "nesting too deep");
	a = node_new(p, TOML_ARRAY, start);
	if (!a)
		return toml_lex_nomem(p);
	p->i++;
	for (;;) {
		rc = toml_lex_skip_ws_nl(p);
		if (!rc && p->i >= p->len)
			rc = toml_lex_fail(p, start, "unterminated array");
		if (rc)
			break;
		if (peek(p, 0) == ']')
			break;
		old = path_push_index(p, a->v.u.array.len);
		rc = parse_value(p, &v, depth + 1);
		path_pop(p, old);
		if (!rc)
			rc = arr_add(p, &a->v, v);
		if (!rc)
			rc = toml_lex_skip_ws_nl(p);
		if (!rc && p->i >= p->len)
			rc = toml_lex_fail(p, start, "unterminated array");
		if (rc || peek(p, 0) == ']')
			break;
		if (peek(p, 0) != ',') {
			rc = toml_lex_fail(p, p->i, "expected ',' or ']' after array element");
			break;
		}
		p->i++;
	}
	if (rc) {
		toml_free(&a->v);
		return rc;
	}
	p->i++;
	*out = &a->v;
	return 0;
}

static int parse_inline_table(struct parser *p, struct toml_value **out, int depth)
{
	size_t start = p->i, comma = 0;
	bool want_key = true;
	struct node *t;
	int rc = 0, c;

	if (depth >= MAX_DEPTH)
		return toml_lex_fail(p, start, "nesting too deep");
	t = node_new(p, TOML_TABLE, start);
	if (!t)
		return toml_lex_nomem(p);
	t->flags = F_INLINE;
	for (p->i++; !rc;) {
		skip_ws(p);
		c = peek(p, 0);
		if (c == -1) {
			rc = toml_lex_fail(p, start, "unterminated inline table");
		} else if (at_eol(p)) {
			rc = toml_lex_fail(p, p->i, "inline table must be on a single line");
		} else if (c == '}') {
			if (want_key && t->v.u.table.len)
				rc = toml_lex_fail(p, comma,
						   "trailing comma not allowed in inline table");
			break;
		} else if (!want_key) {
			if (c != ',')
				rc = toml_lex_fail(p, p->i, "expected ',' or '}' in inline table");
			comma = p->i++;
			want_key = true;
		} else {
			rc = parse_keyval(p, &t->v, depth + 1);
			want_key = false;
		}
	}
	if (rc) {
		toml_free(&t->v);
		return rc;
	}
	p->i++;
	*out = &t->v;
	return 0;
}

static int parse_value(struct parser *p, struct toml_value **out, int depth)
{
	size_t start = p->i;
	int c = peek(p, 0), rc = 0;
	struct node *n;

	if (c == '[')
		return parse_array(p, out, depth);
	if (c == '{')
		return parse_inline_table(p, out, depth);
	if (toml_lex_match_word(p, 0, "inf") || toml_lex_match_word(p, 0, "nan"))
		return toml_lex_fail(p, start, "floating-point values are not supported");
	if (c == -1 || at_eol(p) || (c && strchr("#,]}", c)))
		return toml_lex_fail(p, start, "missing value");
	n = node_new(p, TOML_STRING, start);
	if (!n)
		return toml_lex_nomem(p);
	if (c == '"' || c == '\'') {
		rc = toml_lex_string(p, &n->v.u.str, false);
	} else if ((c >= '0' && c <= '9') || c == '+' || c == '-') {
		n->v.type = TOML_INTEGER;
		rc = toml_lex_integer(p, &n->v.u.integer);
	} else if (toml_lex_match_word(p, 0, "true") || toml_lex_match_word(p, 0, "false")) {
		n->v.type = TOML_BOOLEAN;
		n->v.u.boolean = c == 't';
		p->i += c == 't' ? 4 : 5;
	} else {
		rc = toml_lex_fail(p, start, "invalid value (strings must be quoted)");
	}
	if (rc) {
		free(n);
		return rc;
	}
	*out = &n->v;
	return 0;
}

/* ---- tables and the document ---- */

/* Descend through a non-final segment of a [header]. */
static int descend_header(struct parser *p, struct toml_value **t, struct key_seg *seg)
{
	struct toml_value *c = tbl_find(*t, seg->s);
	struct node *n;

	if (!c)
		return add_child_table(p, t, seg, F_IMPLICIT);
	n = node_of(c);
	if (c->type == TOML_TABLE && (n->flags & F_INLINE))
		return toml_lex_fail(p, seg->off, "inline table '%s' cannot be extended", p->path);
	if (c->type == TOML_ARRAY && (n->flags & F_AOT)) {
		*t = c->u.array.items[c->u.array.len - 1];
		return 0;
	}
	if (c->type != TOML_TABLE)
		return toml_lex_fail(p, seg->off, "key '%s' is %s, not a table", p->path,
				     a_type(c->type));
	*t = c;
	return 0;
}

/* Define the table (or append an element) named by the final header segment. */
static int define_table(struct parser *p, struct toml_value **t, struct key_seg *seg, bool aot,
			size_t start)
{
	struct toml_value *c = tbl_find(*t, seg->s);
	struct node *n, *a;
	int rc;

	if (c && aot) {
		if (c->type != TOML_ARRAY)
			return toml_lex_fail(p, seg->off, "key '%s' is %s, not an array of tables",
					     p->path, a_type(c->type));
		if (!(node_of(c)->flags & F_AOT))
			return toml_lex_fail(
			    p, seg->off, "cannot append to statically defined array '%s'", p->path);
	} else if (c) {
		if (c->type == TOML_TABLE && node_of(c)->flags == F_IMPLICIT) {
			node_of(c)->flags = F_DEFINED;
			c->pos = toml_lex_pos(p, start);
			*t = c;
			return 0;
		}
		if (c->type == TOML_TABLE)
			return toml_lex_fail(p, seg->off, "table '%s' defined twice", p->path);
		if (node_of(c)->flags & F_AOT)
			return toml_lex_fail(p, seg->off,
					     "table '%s' is already an array of tables", p->path);
		return toml_lex_fail(p, seg->off, "key '%s' is %s, not a table", p->path,
				     a_type(c->type));
	}
	n = node_new(p, TOML_TABLE, start);
	if (!n)
		return toml_lex_nomem(p);
	n->flags = F_DEFINED;
	if (!aot) {
		rc = tbl_add(p, *t, seg->s, seg->off, &n->v);
		seg->s = NULL;
		*t = &n->v;
		return rc;
	}
	if (!c) {
		a = node_new(p, TOML_ARRAY, start);
		if (!a) {
			free(n);
			return toml_lex_nomem(p);
		}
		a->flags = F_AOT;
		rc = tbl_add(p, *t, seg->s, seg->off, &a->v);
		seg->s = NULL;
		if (rc) {
			free(n);
			return rc;
		}
		c = &a->v;
	}
	*t = &n->v;
	return arr_add(p, c, &n->v);
}

/* [a.b] or [[a.b]]; on success *cur is the table that following keys go into. */
static int parse_header(struct parser *p, struct toml_value **cur)
{
	size_t start = p->i, at, i;
	bool aot = peek(p, 1) == '[';
	struct toml_value *t = p->root;
	struct key k;
	int rc;

	p->i += aot ? 2 : 1;
	rc = parse_key(p, &k);
	if (rc)
		goto out;
	if (peek(p, 0) != ']' || (aot && peek(p, 1) != ']')) {
		at = p->i + (peek(p, 0) == ']');
		if (at >= p->len || is_eol_at(p, at - p->i))
			rc = toml_lex_fail(p, start,
					   aot ? "unterminated array-of-tables header"
					       : "unterminated table header");
		else
			rc = toml_lex_fail(p, at,
					   aot ? "expected ']]' after array-of-tables name"
					       : "expected ']' after table name");
		goto out;
	}
	p->i += aot ? 2 : 1;
	path_pop(p, 0);
	for (i = 0; i + 1 < k.n && !rc; i++) {
		path_push(p, k.seg[i].s);
		rc = descend_header(p, &t, &k.seg[i]);
	}
	if (!rc) {
		path_push(p, k.seg[k.n - 1].s);
		rc = define_table(p, &t, &k.seg[k.n - 1], aot, start);
	}
	if (!rc)
		*cur = t;
out:
	key_free(&k);
	return rc;
}

static int parse_document(struct parser *p)
{
	struct toml_value *cur = p->root;
	const char *what;
	int rc;

	for (;;) {
		skip_ws(p);
		if (p->i >= p->len)
			return 0;
		what = "comment";
		rc = 0;
		if (peek(p, 0) == '[') {
			rc = parse_header(p, &cur);
			what = "table header";
		} else if (peek(p, 0) != '#' && !at_eol(p)) {
			rc = parse_keyval(p, cur, 0);
			what = "value";
		}
		if (rc)
			return rc;
		skip_ws(p);
		rc = toml_lex_skip_comment(p);
		if (rc)
			return rc;
		if (!at_eol(p))
			return toml_lex_fail(p, p->i, "expected end of line after %s", what);
		skip_eol(p);
	}
}

int toml_parse(const char *text, size_t len, struct toml_value **root, struct toml_error *err)
{
	struct parser p = {.s = text ? text : "", .len = text ? len : 0, .err = err};
	struct node *r;
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	*root = NULL;
	rc = toml_lex_init(&p);
	if (!rc) {
		r = node_new(&p, TOML_TABLE, 0);
		if (r) {
			r->flags = F_DEFINED;
			p.root = &r->v;
			rc = parse_document(&p);
		} else {
			rc = toml_lex_nomem(&p);
		}
	}
	if (rc)
		toml_free(p.root);
	else
		*root = p.root;
	free(p.lines);
	return rc;
}
