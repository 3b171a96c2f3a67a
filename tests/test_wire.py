"""Lines and server-sent events as the specs define them (providers/wire.py).

The byte sequences of the first two tests are the OpenAI SDK's own (openai/openai-python
@ e43b422412a9e96c9cc5192c61fffbe2d7e04836, tests/test_streaming.py,
``test_special_new_line_character`` and ``test_multi_byte_character_multiple_chunks``).
"""

from __future__ import annotations

import json

import pytest

from showdown.providers.wire import Event, iter_events, iter_lines, iter_sse


def payloads(chunks: list[bytes]) -> list[object]:
    return [json.loads(data) for data in iter_sse(iter_lines(chunks))]


def test_u2028_inside_json_does_not_split_the_line() -> None:
    chunks = [b'data: {"content":" culpa"}\n', b"\n", b'data: {"content":" \xe2\x80\xa8"}\n', b"\n",
              b'data: {"content":"foo"}\n', b"\n"]
    assert payloads(chunks) == [{"content": " culpa"}, {"content": " \u2028"}, {"content": "foo"}]


def test_multi_byte_characters_split_across_chunks() -> None:
    chunks = [b'data: {"content":"', b"\xd0", b"\xb8\xd0\xb7\xd0",
              b"\xb2\xd0\xb5\xd1\x81\xd1\x82\xd0\xbd\xd0\xb8", b'"}\n']
    assert payloads(chunks) == [{"content": "известни"}]


BODY = ('data: {"a":"x\u2028y\u2029z\u0085w"}\r\n\r\n'
        'data: {"b":"\u00e9\u4e2d\U0001f600"}\r\rdata: {"c":1}\n\n').encode()


@pytest.mark.parametrize("cut", range(len(BODY) + 1))
def test_any_split_point_reads_the_same(cut: int) -> None:
    """CRLF and 4-byte characters cut anywhere, including between CR and LF."""
    expected = [{"a": "x\u2028y\u2029z\u0085w"}, {"b": "\u00e9\u4e2d\U0001f600"}, {"c": 1}]
    assert payloads([BODY[:cut], BODY[cut:]]) == expected


def test_one_byte_at_a_time() -> None:
    assert len(payloads([bytes([b]) for b in BODY])) == 3


def test_line_ends_are_cr_lf_and_crlf_only() -> None:
    chunks = ["a\rb\nc\r\nd\u2028e".encode(), b"\r", b"\nf"]
    assert list(iter_lines(chunks)) == ["a", "b", "c", "d\u2028e", "f"]
    assert list(iter_lines([b"x\r\r\ny\n\n"])) == ["x", "", "y", ""]


def test_bad_utf8_becomes_replacement_characters_and_a_bom_is_dropped() -> None:
    assert list(iter_lines([b"\xef\xbb\xbfok\n", b"\xff\xfe bad\n", b"\xe2\x80"])) == [
        "ok", "\ufffd\ufffd bad", "\ufffd"]


def test_events_types_comments_and_the_old_llama_server_error_line() -> None:
    lines = [": keep-alive", "event: ping", "data: {}", "", "data:no-space", "",
             'error: {"message":"boom"}', "", "event: error", "data: {\"x\":1}", "", "retry: 5",
             "id: 3", "data", ""]
    assert list(iter_events(lines)) == [
        Event("ping", "{}"), Event("message", "no-space"), Event("error", '{"message":"boom"}'),
        Event("error", '{"x":1}'), Event("message", "")]


def test_a_last_event_without_its_blank_line_is_still_read() -> None:
    assert list(iter_sse(iter_lines([b"data: 1\n\ndata: 2"]))) == ["1", "2"]
