"""Batch deployments end to end, with the official `openai` client unchanged but for its base URL.

Starts headroom-mock and headroom-gateway (the binaries given) on free loopback ports with the
configuration given (Gateway/Examples/batch.json: a synchronous deployment and batch endpoints
that complete, fail, expire, or take longer than their grace period), then:

1. 2,000 requests (1,600 chat completions, 400 embeddings), asking for batch by the
   `@batch` model alias or the `x-headroom-batch` header, 500 at a time: each answered 200 from a batch with its
   own answer (the output tokens it asked the mock for; no answer id twice), and the mock's batch
   endpoint saw each request once;
2. a batch that fails: its requests are answered synchronously;
3. a batch that expires: what it served comes from it, the rest synchronously;
4. a batch past its grace period: cancelled, its requests answered synchronously;
5. callers that hang up once their file has gone, then come back with their idempotency key: the
   others are answered, the returning ones get their answers, and nothing is submitted twice;
6. a gateway stopped mid-batch and started again on the same journal: callers told to come back do so
   with their idempotency keys and get their answers from the batch submitted before, submitted once
   (a request not yet in the batch when it stopped is answered synchronously before the stop);
7. callers that hang up, their batch answered, the gateway restarted: coming back with their keys they
   get their answers from the batch's files, and nothing is submitted again.

Prints each phase's counts and time, and the gateway's batch statistics.

    python batch_client_check.py MOCK_BINARY GATEWAY_BINARY CONFIG
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import openai
from openai import OpenAI

mock_binary, gateway_binary, config_path = sys.argv[1:4]
work = tempfile.mkdtemp(prefix="headroom-batch-check-")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


mock_port, gateway_port = free_port(), free_port()
config = json.load(open(config_path))
for deployment in config["deployments"]:
    deployment["baseURL"] = deployment["baseURL"].replace("127.0.0.1:9000", f"127.0.0.1:{mock_port}")
config["engine"]["batchJournal"] = os.path.join(work, "batches.jsonl")
config["gateway"]["port"] = gateway_port
config_file = os.path.join(work, "batch.json")
json.dump(config, open(config_file, "w"))
environment = dict(os.environ, MOCK_KEY="mock-key")
log = open(os.path.join(work, "gateway.log"), "ab")
mock_url, gateway_url = f"http://127.0.0.1:{mock_port}", f"http://127.0.0.1:{gateway_port}"
key = config["tenants"][0]["key"]


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def wait_for(url):
    for _ in range(1_200):
        try:
            get(url)
            return
        except Exception:
            time.sleep(0.05)
    raise SystemExit(f"{url} did not answer")


def start_gateway():
    process = subprocess.Popen([gateway_binary, "--config", config_file], env=environment, stdout=log, stderr=log)
    wait_for(f"{gateway_url}/readyz")
    return process


mock = subprocess.Popen([mock_binary, "--config", config_file, "--port", str(mock_port)], stdout=subprocess.DEVNULL, stderr=log)
wait_for(f"{mock_url}/mock/batches")
gateway = start_gateway()
client = OpenAI(base_url=f"{gateway_url}/v1", api_key=key, max_retries=0, timeout=300)
# For the 2,000: a connection that breaks under hundreds of threads (httpx has been seen to lose a socket on a busy
# machine) is tried again, under the request's idempotency key, so that the gateway answers it once and submits it once.
patient = OpenAI(base_url=f"{gateway_url}/v1", api_key=key, max_retries=3, timeout=300)


def mock_batches():
    return get(f"{mock_url}/mock/batches")


def synchronous_answers():
    return next(d["totals"]["ok"] for d in get(f"{mock_url}/mock/stats")["deployments"] if d["id"] == "east")


def chat(number, model="gpt-4o@batch", headers=None, idempotency=None, on=None):
    """Request `number`, asking the mock for 1 + number % 400 output tokens: (number, batched, output tokens, answer id)."""
    extra = dict(headers or {})
    if idempotency:
        extra["idempotency-key"] = idempotency
    raw = (on or client).chat.completions.with_raw_response.create(
        model=model, max_tokens=512, messages=[{"role": "user", "content": f"Request {number}"}],
        extra_headers=extra, extra_body={"mock_output_tokens": 1 + number % 400})
    answer = raw.parse()
    return number, raw.headers.get("x-headroom-batch") == "true", answer.usage.completion_tokens, answer.id


def embed(number):
    texts = [f"text {number} {k}" for k in range(1 + number % 3)]
    raw = patient.embeddings.with_raw_response.create(model="text-embedding-3-small@batch", input=texts,
                                                     extra_headers={"idempotency-key": f"embed-{number}"})
    answer = raw.parse()
    return number, raw.headers.get("x-headroom-batch") == "true", len(answer.data), len(texts)


def pool_safe(call):
    """`call()`, or None when the client gave up waiting."""
    try:
        return call()
    except openai.APITimeoutError:
        return None


def phase(title, started, **figures):
    print(f"{title}: " + ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in figures.items())
          + f" ({time.perf_counter() - started:.1f} s)")


try:
    # 1. 2,000 requests to batch.
    started = time.perf_counter()
    before = mock_batches()
    with ThreadPoolExecutor(max_workers=500) as pool:
        chats = [pool.submit(chat, n, "gpt-4o@batch" if n % 2 else "gpt-4o", None if n % 2 else {"x-headroom-batch": "true"}, f"chat-{n}", patient)
                 for n in range(1_600)]
        embeddings = [pool.submit(embed, n) for n in range(400)]
        chats = [future.result() for future in chats]
        embeddings = [future.result() for future in embeddings]
    assert all(batched for _, batched, _, _ in chats), "a chat was not answered from a batch"
    assert all(tokens == 1 + n % 400 for n, _, tokens, _ in chats), "a caller got another's answer"
    assert len({answer for _, _, _, answer in chats}) == 1_600, "an answer was delivered twice"
    assert all(batched and got == sent for _, batched, got, sent in embeddings), "an embedding was not its own, or not from a batch"
    after = mock_batches()
    assert after["requests"] - before["requests"] == 2_000 and after["answered"] - before["answered"] == 2_000, (before, after)
    phase("2,000 requests through batch", started, answered=2_000, batches=after["batches"] - before["batches"],
          each_request_submitted="once")

    # 2. A batch that fails: answered synchronously.
    started, before, sync_before = time.perf_counter(), mock_batches(), synchronous_answers()
    with ThreadPoolExecutor(max_workers=50) as pool:
        failed = list(pool.map(lambda n: chat(n, "gpt-4o-fail@batch"), range(50)))
    assert not any(batched for _, batched, _, _ in failed) and all(tokens == 1 + n % 400 for n, _, tokens, _ in failed)
    after = mock_batches()
    assert after["failed"] > before["failed"] and synchronous_answers() - sync_before == 50
    phase("a batch that fails", started, requests=50, batches_failed=after["failed"] - before["failed"], answered_synchronously=50)

    # 3. A batch that expires: the part it served from it, the rest synchronously.
    started, before, sync_before = time.perf_counter(), mock_batches(), synchronous_answers()
    with ThreadPoolExecutor(max_workers=60) as pool:
        expired = list(pool.map(lambda n: chat(n, "gpt-4o-expire@batch"), range(60)))
    from_batch = sum(batched for _, batched, _, _ in expired)
    assert all(tokens == 1 + n % 400 for n, _, tokens, _ in expired)
    after = mock_batches()
    assert after["expired"] > before["expired"] and after["answered"] - before["answered"] == from_batch
    assert synchronous_answers() - sync_before == 60 - from_batch
    phase("a batch that expires", started, requests=60, from_batch=from_batch, resent=60 - from_batch)

    # 4. A batch past its grace period: cancelled, answered synchronously.
    started, before = time.perf_counter(), mock_batches()
    with ThreadPoolExecutor(max_workers=20) as pool:
        slow = list(pool.map(lambda n: chat(n, "gpt-4o-slow@batch"), range(20)))
    assert not any(batched for _, batched, _, _ in slow) and all(tokens == 1 + n % 400 for n, _, tokens, _ in slow)
    after = mock_batches()
    assert after["cancel_requests"] > before["cancel_requests"]
    phase("a batch past its grace period", started, requests=20, cancelled=after["cancel_requests"] - before["cancel_requests"])

    # 5. Callers who hang up, and come back with their idempotency keys.
    started, before = time.perf_counter(), mock_batches()
    # Their file goes after a second; its batch takes two at the median: they hang up in between.
    impatient = OpenAI(base_url=f"{gateway_url}/v1", api_key=key, max_retries=0, timeout=1.6)
    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(chat, n, "gpt-4o@batch", None, f"hang-{n}", impatient if n < 5 else None) for n in range(20)]
        outcomes = []
        for future in futures:
            try:
                outcomes.append(future.result())
            except openai.APITimeoutError:
                outcomes.append(None)
    assert outcomes[:5] == [None] * 5 and all(o is not None and o[2] == 1 + o[0] % 400 for o in outcomes[5:]), outcomes
    with ThreadPoolExecutor(max_workers=5) as pool:
        back = list(pool.map(lambda n: chat(n, "gpt-4o@batch", None, f"hang-{n}"), range(5)))
    assert all(tokens == 1 + n % 400 for n, _, tokens, _ in back)
    after = mock_batches()
    assert after["requests"] - before["requests"] == 20, "a request was submitted twice"
    phase("5 of 20 callers hang up and come back", started, others_answered=15, returned_answered=5, submitted=after["requests"] - before["requests"])

    print("gateway batch statistics:", json.dumps(get(f"{gateway_url}/stats")["batch"]))
    print("gateway cost:", json.dumps(get(f"{gateway_url}/stats")["cost"]["total"]))

    # 6. The gateway stops mid-batch and starts again on the same journal.
    started, before = time.perf_counter(), mock_batches()
    submitted_before = get(f"{gateway_url}/stats")["batch"]["submitted"]
    answered_before, come_back = {}, []
    with ThreadPoolExecutor(max_workers=30) as pool:
        futures = [pool.submit(chat, n, "gpt-4o@batch", None, f"restart-{n}") for n in range(30)]
        while get(f"{gateway_url}/stats")["batch"]["submitted"] == submitted_before:
            time.sleep(0.02)
        gateway.send_signal(signal.SIGTERM)
        for n, future in enumerate(futures):
            try:
                answered_before[n] = future.result()
            except openai.APIStatusError as error:
                assert error.status_code == 503, error
                come_back.append(n)
            except openai.APIConnectionError:
                come_back.append(n)
    gateway.wait(timeout=30)
    gateway = start_gateway()
    # A request that had not yet gone into the batch when the gateway stopped was answered synchronously before it.
    assert all(not batched for _, batched, _, _ in answered_before.values())
    with ThreadPoolExecutor(max_workers=30) as pool:
        again = list(pool.map(lambda n: chat(n, "gpt-4o@batch", None, f"restart-{n}"), come_back))
    assert all(tokens == 1 + n % 400 for n, _, tokens, _ in again + list(answered_before.values()))
    after = mock_batches()
    # Arrivals spread over more than a file's age (a busy machine) make two files: each submitted once all the same.
    assert after["requests"] - before["requests"] == len(come_back) and after["batches"] - before["batches"] >= 1, (before, after, come_back)
    resumed = get(f"{gateway_url}/stats")["batch"]["resumed"]
    phase("a restart mid-batch", started, callers_answered=len(again) + len(answered_before), told_to_come_back=len(come_back),
          batches_resumed=resumed, submitted_to_the_batch=after["requests"] - before["requests"])

    # 7. Callers who hang up, their batch answered, the gateway restarted: their answers come from the batch's files.
    started, before = time.perf_counter(), mock_batches()
    kept_before = get(f"{gateway_url}/stats")["batch"]["kept"]
    impatient = OpenAI(base_url=f"{gateway_url}/v1", api_key=key, max_retries=0, timeout=1.6)
    with ThreadPoolExecutor(max_workers=10) as pool:
        gone = list(pool.map(lambda n: pool_safe(lambda: chat(n, "gpt-4o@batch", None, f"after-{n}", impatient)), range(10)))
    assert gone == [None] * 10, gone
    # The gateway has the answers (and its journal the batch's files) before it stops.
    while get(f"{gateway_url}/stats")["batch"]["kept"] < kept_before + 10:
        time.sleep(0.05)
    gateway.send_signal(signal.SIGTERM)
    gateway.wait(timeout=30)
    gateway = start_gateway()
    with ThreadPoolExecutor(max_workers=10) as pool:
        back = list(pool.map(lambda n: chat(n, "gpt-4o@batch", None, f"after-{n}"), range(10)))
    assert all(batched and tokens == 1 + n % 400 for n, batched, tokens, _ in back), back
    # From the files of a batch that had ended, not from one picked up again.
    assert get(f"{gateway_url}/stats")["batch"]["resumed"] == 0
    after = mock_batches()
    assert after["requests"] - before["requests"] == 10, "a request answered before the restart was submitted again"
    phase("10 callers hang up, their batch answers, the gateway restarts", started, returned_answered=len(back),
          submitted=after["requests"] - before["requests"])

    print("mock batch counts:", json.dumps(mock_batches()))
finally:
    gateway.terminate()
    mock.terminate()
