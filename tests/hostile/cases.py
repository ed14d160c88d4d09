"""Raw, mostly hostile HTTP/1.1 requests, each sent on its own connection.

``CASES`` maps a case name to the exact bytes a client writes. Real Node's
answer to every case is recorded by tests/hostile/probe_node.js (run through
tests/scenarios/http_server/hostile.js) into tests/golden/http_server/hostile.jsonl;
tests/conformance/test_http_server.py replays each case against our live server
and tests/test_http_rules.py through ``trio_nodestreams.http._guard``.

How a case is sent: in one TCP write, unless ``SPLITS`` names the offsets where
the client waits until the server has read what came before; the client then
half-closes if the case is in ``HALF_CLOSE``; it reads until the server closes,
a 3 s timeout, or the first complete keep-alive response (the ``RESPONSES[name]``-th
for the cases listed there).

Run as a script, this module prints the cases as JSON
(``{name: {"writes": [latin1 text, ...], "half_close": bool, "responses": int}}``)
for the Node probe. Plain Python only: the probe may run it with any interpreter.
"""

from __future__ import annotations

import itertools
import json
import sys

H = b"Host: x\r\n"


def _post(headers: bytes, body: bytes = b"") -> bytes:
    return b"POST /p HTTP/1.1\r\n" + H + headers + b"\r\n" + body


def _chunked(body: bytes) -> bytes:
    return _post(b"Transfer-Encoding: chunked\r\n", body)


CASES: dict[str, bytes] = {
    # baseline
    "ok_get": b"GET / HTTP/1.1\r\n" + H + b"\r\n",
    "ok_leading_crlf": b"\r\n\r\nGET / HTTP/1.1\r\n" + H + b"\r\n",
    "ok_content_length": _post(b"Content-Length: 5\r\n", b"hello"),
    "ok_content_length_leading_zeros": _post(b"Content-Length: 005\r\n", b"hello"),
    "ok_chunked": _chunked(b"5\r\nhello\r\n0\r\n\r\n"),
    "ok_chunked_upper_hex_and_ext": _chunked(b"A;name=val;q=\"x y\"\r\n0123456789\r\n0\r\n\r\n"),
    "ok_chunked_trailers": _chunked(b"3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n"),
    "ok_te_uppercase": _post(b"Transfer-Encoding: CHUNKED\r\n", b"1\r\na\r\n0\r\n\r\n"),
    "ok_te_gzip_then_chunked": _post(b"Transfer-Encoding: gzip, chunked\r\n", b"1\r\na\r\n0\r\n\r\n"),
    "ok_obs_text_value": b"GET / HTTP/1.1\r\n" + H + b"X-A: caf\xe9\r\n\r\n",
    "ok_http10_no_host": b"GET / HTTP/1.0\r\n\r\n",
    "ok_value_tab_inside": b"GET / HTTP/1.1\r\n" + H + b"X-A: a\tb\r\n\r\n",
    "ok_header_under_limit": b"GET / HTTP/1.1\r\n" + H + b"X: " + b"a" * 16370 + b"\r\n\r\n",
    # line endings and folding
    "bare_lf_request_line": b"GET / HTTP/1.1\n" + H + b"\r\n",
    "bare_lf_everywhere": b"GET / HTTP/1.1\nHost: x\n\n",
    "bare_lf_header_line": b"GET / HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n",
    "bare_cr_header_line": b"GET / HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n",
    "obs_fold": b"GET / HTTP/1.1\r\n" + H + b"X-A: a\r\n b\r\n\r\n",
    "obs_fold_first_header": b"GET / HTTP/1.1\r\n Host: x\r\n\r\n",
    # request line
    "bad_method_char": b"G@T / HTTP/1.1\r\n" + H + b"\r\n",
    "unknown_method": b"FOO / HTTP/1.1\r\n" + H + b"\r\n",
    "lowercase_method": b"get / HTTP/1.1\r\n" + H + b"\r\n",
    "space_in_target": b"GET /a b HTTP/1.1\r\n" + H + b"\r\n",
    "ctl_in_target": b"GET /a\x01b HTTP/1.1\r\n" + H + b"\r\n",
    "version_1_2": b"GET / HTTP/1.2\r\n" + H + b"\r\n",
    "version_2_0": b"GET / HTTP/2.0\r\n" + H + b"\r\n",
    "version_garbage": b"GET / HTTX/1.1\r\n" + H + b"\r\n",
    "double_space_request_line": b"GET  / HTTP/1.1\r\n" + H + b"\r\n",
    "missing_host_http11": b"GET / HTTP/1.1\r\n\r\n",
    "double_space_before_version": b"GET /  HTTP/1.1\r\n" + H + b"\r\n",
    "trailing_space_request_line": b"GET / HTTP/1.1 \r\n" + H + b"\r\n",
    "tab_separator_request_line": b"GET\t/ HTTP/1.1\r\n" + H + b"\r\n",
    "http09_request_line": b"GET /\r\n\r\n",
    "version_0_9": b"GET / HTTP/0.9\r\n" + H + b"\r\n",
    "version_3_0": b"GET / HTTP/3.0\r\n" + H + b"\r\n",
    "version_lowercase": b"GET / http/1.1\r\n" + H + b"\r\n",
    "version_two_digit_minor": b"GET / HTTP/1.10\r\n" + H + b"\r\n",
    "target_obs_text": b"GET /caf\xe9 HTTP/1.1\r\n" + H + b"\r\n",
    "target_del": b"GET /a\x7fb HTTP/1.1\r\n" + H + b"\r\n",
    "target_braces_quotes": b'GET /a{b}"c\\d|e^f`g HTTP/1.1\r\n' + H + b"\r\n",
    "target_fragment": b"GET /a#frag HTTP/1.1\r\n" + H + b"\r\n",
    "target_absolute": b"GET http://x/a?b=c HTTP/1.1\r\n" + H + b"\r\n",
    "target_asterisk": b"OPTIONS * HTTP/1.1\r\n" + H + b"\r\n",
    "target_empty": b"GET  HTTP/1.1\r\n" + H + b"\r\n",
    "method_only": b"GET\r\n\r\n",
    # header names and values
    "header_name_bad_char": b"GET / HTTP/1.1\r\n" + H + b"X@A: b\r\n\r\n",
    "header_name_space_before_colon": b"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
    "header_name_empty": b"GET / HTTP/1.1\r\n" + H + b": b\r\n\r\n",
    "header_no_colon": b"GET / HTTP/1.1\r\n" + H + b"NoColon\r\n\r\n",
    "header_value_empty": b"GET / HTTP/1.1\r\n" + H + b"X-A:\r\n\r\n",
    "header_value_trailing_ws": b"GET / HTTP/1.1\r\n" + H + b"X-A: b \t\r\n\r\n",
    "header_no_space_after_colon": b"GET / HTTP/1.1\r\nHost:x\r\n\r\n",
    "header_name_obs_text": b"GET / HTTP/1.1\r\n" + H + b"X-\xe9: b\r\n\r\n",
    "header_value_ctl": b"GET / HTTP/1.1\r\n" + H + b"X-A: a\x01b\r\n\r\n",
    "header_value_nul": b"GET / HTTP/1.1\r\n" + H + b"X-A: a\x00b\r\n\r\n",
    "header_value_del": b"GET / HTTP/1.1\r\n" + H + b"X-A: a\x7fb\r\n\r\n",
    "header_too_large": b"GET / HTTP/1.1\r\n" + H + b"X: " + b"a" * 16384 + b"\r\n\r\n",
    "header_limit_exact": b"GET / HTTP/1.1\r\n" + H + b"X: " + b"a" * 16377 + b"\r\n\r\n",
    "header_limit_one_below": b"GET / HTTP/1.1\r\n" + H + b"X: " + b"a" * 16376 + b"\r\n\r\n",
    "header_limit_counts_trailing_ws": b"GET / HTTP/1.1\r\n" + H + b"X: " + b"a" * 16375 + b"  \r\n\r\n",
    "header_limit_ignores_leading_ws": b"GET / HTTP/1.1\r\n" + H + b"X:    " + b"a" * 16376 + b"\r\n\r\n",
    "header_limit_url": b"GET /" + b"a" * 16378 + b" HTTP/1.1\r\n" + H + b"\r\n",
    "header_limit_url_plus_one": b"GET /" + b"a" * 16379 + b" HTTP/1.1\r\n" + H + b"\r\n",
    "header_too_large_unterminated": b"GET / HTTP/1.1\r\n" + H + b"X: " + b"a" * 17000,
    "many_small_headers_too_large": b"GET / HTTP/1.1\r\n" + H + b"".join(
        b"X-%05d: %s\r\n" % (i, b"v" * 60) for i in range(300)
    ) + b"\r\n",
    # body framing (smuggling)
    "cl_and_te": _post(b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n"),
    "te_and_cl": _post(b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", b"0\r\n\r\n"),
    "cl_duplicate_same": _post(b"Content-Length: 5\r\nContent-Length: 5\r\n", b"hello"),
    "cl_duplicate_differ": _post(b"Content-Length: 5\r\nContent-Length: 6\r\n", b"hello!"),
    "cl_comma_list": _post(b"Content-Length: 5, 5\r\n", b"hello"),
    "cl_negative": _post(b"Content-Length: -1\r\n"),
    "cl_plus_sign": _post(b"Content-Length: +5\r\n", b"hello"),
    "cl_not_a_number": _post(b"Content-Length: abc\r\n"),
    "cl_inner_space": _post(b"Content-Length: 5 5\r\n", b"hello"),
    "cl_overflow": _post(b"Content-Length: 99999999999999999999999\r\n"),
    "cl_trailing_space": _post(b"Content-Length: 5 \r\n", b"hello"),
    "cl_no_space": _post(b"Content-Length:5\r\n", b"hello"),
    "cl_u64_plus_one": _post(b"Content-Length: 18446744073709551616\r\n"),
    "cl_and_te_identity": _post(b"Content-Length: 5\r\nTransfer-Encoding: identity\r\n", b"hello"),
    "cl_empty": _post(b"Content-Length: \r\n"),
    "te_chunked_then_gzip": _post(b"Transfer-Encoding: chunked, gzip\r\n", b"0\r\n\r\n"),
    "te_identity": _post(b"Transfer-Encoding: identity\r\n", b"0\r\n\r\n"),
    "te_duplicate_chunked": _post(
        b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n"
    ),
    "te_chunked_comma_chunked": _post(b"Transfer-Encoding: chunked, chunked\r\n", b"0\r\n\r\n"),
    "te_gzip_then_chunked_two_headers": _post(
        b"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n"
    ),
    "te_chunked_trailing_space": _post(b"Transfer-Encoding: chunked \r\n", b"0\r\n\r\n"),
    "te_leading_comma": _post(b"Transfer-Encoding: ,chunked\r\n", b"0\r\n\r\n"),
    "te_chunked_with_param": _post(b"Transfer-Encoding: chunked;q=1\r\n", b"0\r\n\r\n"),
    "te_xchunked": _post(b"Transfer-Encoding: xchunked\r\n", b"0\r\n\r\n"),
    "te_empty": _post(b"Transfer-Encoding: \r\n"),
    "te_space_before_colon": _post(b"Transfer-Encoding : chunked\r\n", b"0\r\n\r\n"),
    "te_http10_chunked": b"POST /p HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n",
    # chunked bodies
    "chunk_size_not_hex": _chunked(b"zz\r\nhello\r\n0\r\n\r\n"),
    "chunk_size_empty": _chunked(b"\r\nhello\r\n0\r\n\r\n"),
    "chunk_size_overflow": _chunked(b"1" + b"0" * 17 + b"\r\nx\r\n0\r\n\r\n"),
    "chunk_size_space_after": _chunked(b"5 \r\nhello\r\n0\r\n\r\n"),
    "chunk_size_negative": _chunked(b"-5\r\nhello\r\n0\r\n\r\n"),
    "chunk_size_0x_prefix": _chunked(b"0x5\r\nhello\r\n0\r\n\r\n"),
    "chunk_data_no_crlf": _chunked(b"5\r\nhelloXX0\r\n\r\n"),
    "chunk_data_bare_lf": _chunked(b"5\r\nhello\n0\r\n\r\n"),
    "chunk_size_bare_lf": _chunked(b"5\nhello\r\n0\r\n\r\n"),
    "chunk_ext_bad_char": _chunked(b"5;a\x01b\r\nhello\r\n0\r\n\r\n"),
    "chunk_ext_just_under": _chunked(b"1;" + b"e" * 16384 + b"\r\na\r\n0\r\n\r\n"),
    "chunk_ext_quoted_just_under": _chunked(b'1;e="' + b"v" * 16381 + b'"\r\na\r\n0\r\n\r\n'),
    "chunk_ext_quoted_over": _chunked(b'1;e="' + b"v" * 16382 + b'"\r\na\r\n0\r\n\r\n'),
    "chunk_ext_value_just_under": _chunked(b"1;e=" + b"v" * 16383 + b"\r\na\r\n0\r\n\r\n"),
    "chunk_ext_value_over": _chunked(b"1;e=" + b"v" * 16384 + b"\r\na\r\n0\r\n\r\n"),
    "chunk_ext_space_before_semicolon": _chunked(b"1 ;e\r\na\r\n0\r\n\r\n"),
    "chunk_ext_space_after_semicolon": _chunked(b"1; e\r\na\r\n0\r\n\r\n"),
    "chunk_ext_empty_name": _chunked(b"1;\r\na\r\n0\r\n\r\n"),
    "chunk_ext_empty_value": _chunked(b"1;e=\r\na\r\n0\r\n\r\n"),
    "chunk_ext_multiple": _chunked(b"1;a;b=c;d=\"e;f\"\r\na\r\n0;z\r\n\r\n"),
    "chunk_ext_quoted_escape": _chunked(b'1;a="x\\"y"\r\na\r\n0\r\n\r\n'),
    "chunk_ext_too_large": _chunked(b"1;" + b"e" * 16385 + b"\r\na\r\n0\r\n\r\n"),
    "chunk_ext_many_small": _chunked(b"".join(b"1;e=" + b"v" * 99 + b"\r\na\r\n" for _ in range(200)) + b"0\r\n\r\n"),
    "chunk_last_zeros": _chunked(b"1\r\na\r\n000\r\n\r\n"),
    "chunk_leading_zeros": _chunked(b"0001\r\na\r\n0\r\n\r\n"),
    "chunk_trailer_too_large": _chunked(b"0\r\nX-T: " + b"t" * 16384 + b"\r\n\r\n"),
    "chunk_trailer_obs_fold": _chunked(b"0\r\nX-T: 1\r\n 2\r\n\r\n"),
    "chunk_trailer_bad_char": _chunked(b"0\r\nX-T: a\x01b\r\n\r\n"),
    "chunk_trailer_bare_lf": _chunked(b"0\r\nX-T: 1\n\r\n"),
    # server-level (not the parser): Expect
    "expect_unknown": b"GET / HTTP/1.1\r\n" + H + b"Expect: teapot\r\n\r\n",
    # -- chunk extensions: Node's wrapper budgets 16 KiB of extension bytes per chunk, counting
    # name and value bytes (quotes included) but not the ';' and '=' separators
    # name and value share the budget: 8192 + 8192 fits, 8192 + 8193 does not
    "chunk_ext_name_value_halves_at_budget": _chunked(b"1;" + b"n" * 8192 + b"=" + b"v" * 8192 + b"\r\na\r\n0\r\n\r\n"),
    "chunk_ext_name_value_halves_over": _chunked(b"1;" + b"n" * 8192 + b"=" + b"v" * 8193 + b"\r\na\r\n0\r\n\r\n"),
    # 4096 extensions of 2+2 bytes: exactly the budget if ';' and '=' are not counted (24 KiB if they were)
    "chunk_ext_separators_not_counted": _chunked(b"1" + b";ab=cd" * 4096 + b"\r\na\r\n0\r\n\r\n"),
    # the same plus one 1-byte name: one byte over the budget
    "chunk_ext_separators_not_counted_over": _chunked(b"1" + b";ab=cd" * 4096 + b";x\r\na\r\n0\r\n\r\n"),
    # a quoted value holding ';', '=' and escaped quotes is one value, then another extension follows
    "chunk_ext_quoted_separators_and_escapes": _chunked(b'1;a="x;y=z\\"w\\"";b=c\r\na\r\n0\r\n\r\n'),
    # 40 chunks with 1 KiB of extensions each: 40 KiB in all, allowed since the budget is per chunk
    "chunk_ext_1k_on_each_of_40_chunks": _chunked(b"".join(b"1;e=" + b"v" * 1023 + b"\r\na\r\n" for _ in range(40)) + b"0\r\n\r\n"),
    # two chunks each exactly at the budget: the count starts again at every chunk
    "chunk_ext_budget_resets_per_chunk": _chunked((b"1;" + b"e" * 16384 + b"\r\na\r\n") * 2 + b"0\r\n\r\n"),
    # extensions on the last (0) chunk, then no trailer / then a trailer
    "chunk_ext_on_last_chunk": _chunked(b"1\r\na\r\n0;last=1;q=\"z\"\r\n\r\n"),
    "chunk_ext_on_last_chunk_then_trailer": _chunked(b"1\r\na\r\n0;e\r\nX-T: 1\r\n\r\n"),
    # the budget applies to the last chunk too
    "chunk_ext_on_last_chunk_over": _chunked(b"0;e=" + b"v" * 16384 + b"\r\n\r\n"),
    # invalid characters: a control byte or DEL in an unquoted value, a space in one, a quote in a name,
    # a control byte inside a quoted value
    "chunk_ext_value_ctl": _chunked(b"1;e=a\x01b\r\na\r\n0\r\n\r\n"),
    "chunk_ext_value_del": _chunked(b"1;e=a\x7fb\r\na\r\n0\r\n\r\n"),
    "chunk_ext_value_space_unquoted": _chunked(b"1;e=a b\r\na\r\n0\r\n\r\n"),
    "chunk_ext_name_quote": _chunked(b'1;e"x=1\r\na\r\n0\r\n\r\n'),
    "chunk_ext_name_obs_text": _chunked(b"1;\xe9=1\r\na\r\n0\r\n\r\n"),
    "chunk_ext_quoted_ctl": _chunked(b'1;e="a\x01b"\r\na\r\n0\r\n\r\n'),
    "chunk_ext_quoted_obs_text": _chunked(b'1;e="caf\xe9"\r\na\r\n0\r\n\r\n'),
    # a quoted value never closed: the CRLF falls inside the quotes
    "chunk_ext_quoted_unterminated": _chunked(b'1;e="abc\r\na\r\n0\r\n\r\n'),
    # whitespace around ';' and '=' (before and after ';' are in the earlier cases)
    "chunk_ext_tab_before_semicolon": _chunked(b"1\t;e\r\na\r\n0\r\n\r\n"),
    "chunk_ext_space_before_equals": _chunked(b"1;e =v\r\na\r\n0\r\n\r\n"),
    "chunk_ext_space_after_equals": _chunked(b"1;e= v\r\na\r\n0\r\n\r\n"),
    "chunk_ext_space_after_value": _chunked(b"1;e=v \r\na\r\n0\r\n\r\n"),
    # a bare LF ends the extension line
    "chunk_ext_bare_lf": _chunked(b"1;e=v\na\r\n0\r\n\r\n"),
    # a huge extension whose line never ends: the budget must stop it without a CRLF
    "chunk_ext_huge_name_unterminated": _chunked(b"1;" + b"e" * 17000),
    "chunk_ext_huge_value_unterminated": _chunked(b"1;e=" + b"v" * 17000),
    "chunk_ext_huge_quoted_unterminated": _chunked(b'1;e="' + b"v" * 17000),
    # -- framing fields and bad lines in trailers (llhttp parses trailers as headers, without semantics)
    "trailer_content_length": _chunked(b"1\r\na\r\n0\r\nContent-Length: 5\r\n\r\n"),
    "trailer_transfer_encoding": _chunked(b"1\r\na\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n"),
    "trailer_host": _chunked(b"1\r\na\r\n0\r\nHost: evil\r\n\r\n"),
    "trailer_connection_close": _chunked(b"1\r\na\r\n0\r\nConnection: close\r\n\r\n"),
    # Connection: close in a trailer, then a pipelined request: is the second one served?
    "trailer_connection_close_then_request": _chunked(
        b"1\r\na\r\n0\r\nConnection: close\r\n\r\nGET /second HTTP/1.1\r\n" + H + b"\r\n"
    ),
    "trailer_obs_fold_tab": _chunked(b"0\r\nX-T: 1\r\n\t2\r\n\r\n"),
    "trailer_bare_lf_terminator": _chunked(b"0\r\nX-T: 1\r\n\n"),
    "trailer_bare_lf_only": _chunked(b"0\r\nX-T: 1\n\n"),
    "trailer_bare_cr": _chunked(b"0\r\nX-T: 1\rX-U: 2\r\n\r\n"),
    "trailer_empty_name": _chunked(b"0\r\n: x\r\n\r\n"),
    "trailer_no_colon": _chunked(b"0\r\nX-T\r\n\r\n"),
    # the header budget in trailers: one name+value pair of 16384 and 16383 bytes
    "trailer_limit_exact": _chunked(b"0\r\nX-T: " + b"t" * 16381 + b"\r\n\r\n"),
    "trailer_limit_one_below": _chunked(b"0\r\nX-T: " + b"t" * 16380 + b"\r\n\r\n"),
    # do the head's bytes count toward the trailers' budget? head fields + trailer = 16384 + 31
    "trailer_limit_with_head_bytes": _chunked(b"0\r\nX-T: " + b"t" * 16350 + b"\r\n\r\n"),
    # many small trailers together over the budget
    "trailer_many_small_over": _chunked(
        b"0\r\n" + b"".join(b"X-%05d: %s\r\n" % (i, b"v" * 60) for i in range(300)) + b"\r\n"
    ),
    # a trailer without the blank line that ends the message, then EOF (client half-closes)
    "trailer_unterminated_eof": _chunked(b"1\r\na\r\n0\r\nX-T: 1\r\n"),
    # a trailer line without its CRLF, then EOF
    "trailer_line_unterminated_eof": _chunked(b"1\r\na\r\n0\r\nX-T: 1"),
    # -- EOF (the client half-closes) at every point of a body
    "eof_after_complete_get": b"GET / HTTP/1.1\r\n" + H + b"\r\n",
    "eof_after_complete_chunked": _chunked(b"5\r\nhello\r\n0\r\n\r\n"),
    "eof_in_request_line": b"GET / HT",
    "eof_in_head": b"GET / HTTP/1.1\r\n" + H,
    "eof_after_chunked_head": _chunked(b""),
    "eof_in_chunk_size": _chunked(b"5"),
    "eof_in_chunk_ext": _chunked(b"5;e=v"),
    "eof_after_chunk_size_line": _chunked(b"5\r\n"),
    "eof_in_chunk_data": _chunked(b"5\r\nhel"),
    "eof_before_chunk_data_crlf": _chunked(b"5\r\nhello"),
    "eof_between_cr_and_lf_after_data": _chunked(b"5\r\nhello\r"),
    "eof_after_chunk": _chunked(b"5\r\nhello\r\n"),
    "eof_in_last_chunk_size_line": _chunked(b"5\r\nhello\r\n0"),
    "eof_after_last_chunk_size_line": _chunked(b"5\r\nhello\r\n0\r\n"),
    "eof_after_content_length_head": _post(b"Content-Length: 5\r\n"),
    "eof_in_content_length_body": _post(b"Content-Length: 5\r\n", b"hel"),
    # a Content-Length of 2^64-1 parses; the body never comes
    "eof_content_length_u64_max": _post(b"Content-Length: 18446744073709551615\r\n", b"x"),
    # -- garbage pipelined after a valid request (same TCP write unless said otherwise)
    "garbage_after_get": b"GET / HTTP/1.1\r\n" + H + b"\r\n\x01\x02garbage\r\n\r\n",
    "garbage_after_content_length_post": _post(b"Content-Length: 5\r\n", b"hello\x01\x02garbage\r\n\r\n"),
    "garbage_after_chunked_post": _chunked(b"5\r\nhello\r\n0\r\n\r\n\x01\x02garbage\r\n\r\n"),
    "garbage_after_connection_close": b"GET / HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n\x01\x02garbage\r\n\r\n",
    # a whole second request after Connection: close: never served
    "request_after_connection_close": b"GET / HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\nGET /2 HTTP/1.1\r\n" + H + b"\r\n",
    # the garbage arrives in a later write, once the first request was read
    "garbage_after_get_next_write": b"GET / HTTP/1.1\r\n" + H + b"\r\n\x01\x02garbage\r\n\r\n",
    # a body longer than Content-Length says: the excess is read as the next request
    "content_length_body_too_long": _post(b"Content-Length: 3\r\n", b"hello"),
    # -- Content-Length and Connection values
    "cl_trailing_tab": _post(b"Content-Length: 5\t\r\n", b"hello"),
    "cl_leading_tab": _post(b"Content-Length:\t5\r\n", b"hello"),
    "cl_inner_tab": _post(b"Content-Length: 5\t5\r\n", b"hello"),
    "cl_hex": _post(b"Content-Length: 0x5\r\n", b"hello"),
    "cl_huge": _post(b"Content-Length: 340282366920938463463374607431768211456\r\n", b"hello"),
    "cl_duplicate_zero": _post(b"Content-Length: 0\r\nContent-Length: 0\r\n"),
    "connection_close_trailing_tab": b"GET / HTTP/1.1\r\n" + H + b"Connection: close\t\r\n\r\n",
    "connection_close_uppercase": b"GET / HTTP/1.1\r\n" + H + b"Connection: CLOSE\r\n\r\n",
    "connection_keep_alive_close_list": b"GET / HTTP/1.1\r\n" + H + b"Connection: keep-alive, close\r\n\r\n",
    # -- the header budget: Node counts the target, header names and values (with trailing
    # whitespace) and rejects at >= max_header_size (16384)
    # the X value spans two TCP writes; 16383 and 16384 counted bytes
    "header_limit_one_below_split_in_value": b"GET / HTTP/1.1\r\n" + H + b"X: " + b"a" * 16376 + b"\r\n\r\n",
    "header_limit_exact_split_in_value": b"GET / HTTP/1.1\r\n" + H + b"X: " + b"a" * 16377 + b"\r\n\r\n",
    # the same, split inside the last header name
    "header_limit_exact_split_in_name": b"GET / HTTP/1.1\r\n" + H + b"X: " + b"a" * 16373 + b"\r\nYYYY: \r\n\r\n",
    # 5459 headers of 2+1 bytes: 16383 counted bytes; one more byte reaches the budget
    "many_tiny_headers_one_below": b"GET / HTTP/1.1\r\n" + H + b"ab: c\r\n" * 5459 + b"\r\n",
    "many_tiny_headers_at_limit": b"GET / HTTP/1.1\r\n" + H + b"ab: c\r\n" * 5458 + b"ab: cd\r\n\r\n",
    # -- request-line oddities
    # absolute-form targets: with userinfo, with another scheme and a port (req.url keeps them)
    "target_absolute_userinfo": b"GET http://user:pass@x/a HTTP/1.1\r\n" + H + b"\r\n",
    "target_absolute_https_port": b"GET https://x:443/a HTTP/1.1\r\n" + H + b"\r\n",
    # percent-escapes are not checked by the parser
    "target_percent_invalid": b"GET /%zz%0 HTTP/1.1\r\n" + H + b"\r\n",
    # CONNECT with an authority-form target, and with an origin-form one; no 'connect' listener
    "connect_authority_form": b"CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n",
    "connect_origin_form": b"CONNECT / HTTP/1.1\r\n" + H + b"\r\n",
    # an Upgrade request with no 'upgrade' listener is served as a plain request
    "upgrade_no_listener": b"GET / HTTP/1.1\r\n" + H + b"Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    "upgrade_no_listener_then_get": b"GET / HTTP/1.1\r\n" + H + b"Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
    + b"GET /2 HTTP/1.1\r\n" + H + b"\r\n",
    "upgrade_no_listener_with_body": b"POST / HTTP/1.1\r\n" + H
    + b"Connection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 5\r\n\r\nhello",
    "upgrade_no_listener_body_then_get": b"POST / HTTP/1.1\r\n" + H
    + b"Connection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 5\r\n\r\nhello"
    + b"GET /2 HTTP/1.1\r\n" + H + b"\r\n",
    "upgrade_no_listener_body_next_write": b"POST / HTTP/1.1\r\n" + H
    + b"Connection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 5\r\n\r\nhello",
    "upgrade_no_listener_get_next_write": b"GET / HTTP/1.1\r\n" + H + b"Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
    + b"GET /2 HTTP/1.1\r\n" + H + b"\r\n",
    # ... with an empty Transfer-Encoding (which Node's llhttp ignores), whole and split
    "upgrade_empty_te": b"GET / HTTP/1.1\r\n" + H + b"Transfer-Encoding:\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    "upgrade_empty_te_split": b"GET / HTTP/1.1\r\n" + H + b"Transfer-Encoding:\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    "upgrade_empty_te_then_get": b"GET / HTTP/1.1\r\n" + H + b"Transfer-Encoding:\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n" + b"GET /2 HTTP/1.1\r\n" + H + b"\r\n",
    # methods: a very long unknown one, a known one with a letter more, one llhttp knows for
    # HTTP (SOURCE), one it knows only for RTSP (DESCRIBE)
    "method_very_long": b"A" * 1000 + b" / HTTP/1.1\r\n" + H + b"\r\n",
    "method_known_prefix_longer": b"PROPFINDX / HTTP/1.1\r\n" + H + b"\r\n",
    "method_source_http": b"SOURCE / HTTP/1.1\r\n" + H + b"\r\n",
    "method_rtsp_only": b"DESCRIBE / HTTP/1.1\r\n" + H + b"\r\n",
}

#: Cases whose client half-closes (sends FIN) once everything is written: EOF is what they probe.
HALF_CLOSE: frozenset[str] = frozenset(
    name for name in CASES
    if name.startswith("eof_") or name in ("trailer_unterminated_eof", "trailer_line_unterminated_eof")
)

#: Cases sent in more than one TCP write: the byte offsets at which the client stops until
#: the server has read everything sent so far.
SPLITS: dict[str, tuple[int, ...]] = {
    "header_limit_one_below_split_in_value": (8000,),
    "header_limit_exact_split_in_value": (8000,),
    "header_limit_exact_split_in_name": (len(CASES["header_limit_exact_split_in_name"]) - 7,),
    "garbage_after_get_next_write": (len(b"GET / HTTP/1.1\r\n" + H + b"\r\n"),),
    "upgrade_empty_te_split": (len(b"GET / HTTP/1"),),
    "upgrade_no_listener_body_next_write": (len(CASES["upgrade_no_listener_body_next_write"]) - 5,),
    "upgrade_no_listener_get_next_write": (len(CASES["upgrade_no_listener_get_next_write"]) - len(b"GET /2 HTTP/1.1\r\n" + H + b"\r\n"),),
}

#: Cases that may be answered by more than one response: how many complete keep-alive
#: responses the client waits for before it stops reading (1 for every other case).
RESPONSES: dict[str, int] = {
    # a complete request then FIN: wait past the answer, for the server's own close
    "eof_after_complete_get": 2,
    "eof_after_complete_chunked": 2,
    "trailer_connection_close_then_request": 2,
    "garbage_after_get": 2,
    "garbage_after_content_length_post": 2,
    "garbage_after_chunked_post": 2,
    "garbage_after_connection_close": 2,
    "request_after_connection_close": 2,
    "garbage_after_get_next_write": 2,
    "content_length_body_too_long": 2,
    "upgrade_empty_te_then_get": 2,
    "upgrade_no_listener_then_get": 2,
    "upgrade_no_listener_body_next_write": 2,
    "upgrade_no_listener_get_next_write": 2,
    "upgrade_no_listener_with_body": 2,
    "upgrade_no_listener_body_then_get": 2,
}


def writes(name: str) -> list[bytes]:
    """The TCP writes of case ``name``, in order."""
    data = CASES[name]
    cuts = [0, *SPLITS.get(name, ()), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(cuts)]


if __name__ == "__main__":
    json.dump(
        {
            name: {
                "writes": [w.decode("latin1") for w in writes(name)],
                "half_close": name in HALF_CLOSE,
                "responses": RESPONSES.get(name, 1),
            }
            for name in CASES
        },
        sys.stdout,
    )
