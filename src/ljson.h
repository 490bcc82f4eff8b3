/* ljson.h: internals shared by the parts of the unentropy.json binding:
 * ljson.c (module, ordered objects), ljson_decode.c, ljson_encode.c.
 * Every module function runs with the same three upvalues below. Depends on
 * Lua 5.4. */
#ifndef UNENTROPY_LJSON_H
#define UNENTROPY_LJSON_H

#include <lua.h>

#define LJSON_UV_ORDER lua_upvalueindex(1)     /* weak: object -> key array */
#define LJSON_UV_OBJECT_MT lua_upvalueindex(2) /* json.object_mt */
#define LJSON_UV_ARRAY_MT lua_upvalueindex(3)  /* json.array_mt */

/* Pushes the key order array of the table at obj and returns 1, or pushes
 * nothing and returns 0 if it has none. Entries may be tombstones. */
int ljson_push_order(lua_State *L, int obj);

/* 1 if the value at idx is the tombstone of a deleted key in an order
 * array. */
int ljson_is_tombstone(lua_State *L, int idx);

/* Pushes an array of t's keys sorted by the byte order of their string
 * forms (integers in decimal) and returns NULL. Otherwise returns a phrase
 * describing the offending key ("a key of type boolean", "a non-integer
 * number key", "both an integer key and a string key \"1\"") and leaves the
 * stack unbalanced: the caller raises. The phrase lives on the stack. */
const char *ljson_push_sorted_keys(lua_State *L, int t);

/* json.decode(s [, {duplicates = bool}]) -> value [, dups] | nil, msg,
 * line, column; raises only for misuse. */
int ljson_decode(lua_State *L);

/* json.encode(v [, {pretty = bool}]) -> string; raises on unencodable
 * values. */
int ljson_encode(lua_State *L);

/* Registers the encoder's buffer metatable; call once from luaopen. */
void ljson_open_encoder(lua_State *L);

#endif
