"""Drives a running headroom-gateway with the official `openai` client:
a chat completion, a streamed chat completion and embeddings, all over one
kept-alive connection, then a wrong key. Prints one line per check and exits
non-zero on the first failure.

    python openai_client_check.py BASE_URL KEY
"""
import sys

import httpx
import openai

base_url, key = sys.argv[1], sys.argv[2]
opened = []
http_client = httpx.Client(event_hooks={"request": [lambda request: opened.append(request.extensions)]})
client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0, http_client=http_client)

chat = client.chat.completions.create(
    model="gpt-4o", messages=[{"role": "user", "content": "Hello"}], max_tokens=10
)
assert chat.choices[0].message.content.startswith("Mock answer"), chat
assert chat.usage.prompt_tokens == 8, chat.usage
print(f"chat: {chat.usage.completion_tokens} tokens: {chat.choices[0].message.content!r}")

stream = client.chat.completions.create(
    model="gpt-4o", messages=[{"role": "user", "content": "Hello"}], max_tokens=3,
    stream=True, stream_options={"include_usage": True},
)
pieces, usage = [], None
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        pieces.append(chunk.choices[0].delta.content)
    if chunk.usage:
        usage = chunk.usage
assert pieces == ["Mock", " answer", " from"], pieces
assert usage is not None and usage.completion_tokens == 3, usage
print(f"stream: {pieces}, usage {usage.total_tokens}")

embeddings = client.embeddings.create(model="gpt-4o", input=["one", "two"])
assert len(embeddings.data) == 2 and len(embeddings.data[0].embedding) == 16, embeddings
print(f"embeddings: {len(embeddings.data)} vectors of {len(embeddings.data[0].embedding)}")

raw = client.chat.completions.with_raw_response.create(
    model="gpt-4o", messages=[{"role": "user", "content": "Hello"}], max_tokens=2
)
assert raw.headers.get("connection", "").lower() != "close", raw.headers
connections = http_client._transport._pool.connections
assert len(connections) == 1, connections
print(f"keep-alive: {len(opened)} requests over {len(connections)} connection")

try:
    openai.OpenAI(base_url=base_url, api_key="sk-wrong", max_retries=0).models.list()
    raise AssertionError("a wrong key was accepted")
except openai.AuthenticationError as error:
    print(f"wrong key: {error.status_code}")
