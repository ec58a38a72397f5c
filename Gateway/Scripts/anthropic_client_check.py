"""Drives a running headroom-gateway with the official `anthropic` client: a
message and a streamed message to an Anthropic deployment, then a wrong key.
Prints one line per check and exits non-zero on the first failure.

    python anthropic_client_check.py BASE_URL KEY
"""
import sys

import anthropic

base_url, key = sys.argv[1], sys.argv[2]
client = anthropic.Anthropic(base_url=base_url, api_key=key, max_retries=0)

message = client.messages.create(
    model="claude", max_tokens=10, system="Be brief.", messages=[{"role": "user", "content": "Hello"}]
)
assert message.content[0].text.startswith("Mock answer"), message
assert message.usage.output_tokens <= 10, message.usage
print(f"message: {message.usage.input_tokens} in, {message.usage.output_tokens} out: {message.content[0].text!r}")

with client.messages.stream(model="claude", max_tokens=3, messages=[{"role": "user", "content": "Hello"}]) as stream:
    pieces = list(stream.text_stream)
    final = stream.get_final_message()
assert pieces == ["Mock", " answer", " from"], pieces
assert final.usage.output_tokens == 3, final.usage
print(f"stream: {pieces}, {final.usage.output_tokens} out, stopped by {final.stop_reason}")

try:
    anthropic.Anthropic(base_url=base_url, api_key="sk-wrong", max_retries=0).messages.create(
        model="claude", max_tokens=5, messages=[{"role": "user", "content": "Hello"}]
    )
    raise AssertionError("a wrong key was accepted")
except anthropic.AuthenticationError as error:
    print(f"wrong key: {error.status_code}")
