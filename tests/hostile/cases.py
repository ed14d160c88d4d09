"""Raw, mostly hostile HTTP/1.1 requests, each sent on its own connection.

``CASES`` maps a case name to the exact bytes a client writes. Real Node's
answer to every case is recorded by tests/hostile/probe_node.js (run through
tests/scenarios/http_server/hostile.js) into tests/golden/http_server/hostile.jsonl;
tests/test_http_rules.py replays each case through ``trio_nodestreams.http._guard``.

Run as a script, this module prints the cases as JSON (``{name: latin1 text}``)
for the Node probe. Plain Python only: the probe may run it with any interpreter.
"""

from __future__ import annotations

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
}


if __name__ == "__main__":
    json.dump({k: v.decode("latin1") for k, v in CASES.items()}, sys.stdout)
