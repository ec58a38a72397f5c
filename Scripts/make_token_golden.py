"""Builds Tests/TokenizersTests/Fixtures/token_golden.jsonl: text chunks with their exact
cl100k_base and o200k_base token ids and counts from tiktoken 0.14.0, and fits the weights of
ClassEstimate (Sources/Tokenizers/ClassEstimate.swift) on the even chunks, reporting the error
on the odd ones.

Run offline with the vocabularies of the shared tokenizer folder (its README has the recipe):
    TIKTOKEN_CACHE_DIR=... python Scripts/make_token_golden.py
Headroom itself never needs Python; this script only regenerates test data.
"""
import glob, json, math, os, random
import tiktoken
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "TokenizersTests", "Fixtures", "token_golden.jsonl")

# Text written for this project, in several scripts.
OWN = [
    "Headroom schedules requests to rate-limited language-model deployments. It reserves each request's charge, "
    "waits exactly as long as a provider asks, and wakes waiting work the moment capacity returns.",
    "调度器在每个部署上预留请求的费用，并在容量恢复的那一刻唤醒等待的工作。我们在模拟器中调整限额和策略，然后再投入生产。",
    "スケジューラは各デプロイメントでリクエストの費用を予約し、容量が戻った瞬間に待機中の作業を起こします。",
    "스케줄러는 각 배포에서 요청 비용을 예약하고 용량이 돌아오는 순간 대기 중인 작업을 깨웁니다.",
    "يحجز المجدول تكلفة كل طلب على كل نشر، وينتظر بالضبط المدة التي يطلبها المزود، ثم يوقظ العمل المنتظر فور عودة السعة.",
    "Планировщик резервирует стоимость каждого запроса и будит ожидающую работу в тот момент, когда возвращается ёмкость.",
    "Der Planer reserviert die Kosten jeder Anfrage, wartet genau so lange, wie der Anbieter verlangt, und weckt wartende Arbeit.",
    "Le planificateur réserve le coût de chaque requête et réveille le travail en attente dès que la capacité revient.",
    "Ο προγραμματιστής δεσμεύει το κόστος κάθε αιτήματος και ξυπνά την εργασία μόλις επιστρέψει η χωρητικότητα.",
    "मॉडल को अनुरोध भेजने से पहले शेड्यूलर हर अनुरोध की लागत आरक्षित करता है।",
    "🚀✨ Launch day! 🎉🎉 We served 12,345,678 tokens 🔥 with zero 429s 👍🏽 — see https://example.com/report?id=42&x=y",
    "0123456789" * 12 + " " + "3.14159265358979323846264338327950288419716939937510",
    "    \n\n\t\t   \n" * 6 + "end",
    "Pneumonoultramicroscopicsilicovolcanoconiosis " * 3 + "x" * 300,
    "def schedule(job: Job) -> Action:\n    if job.tokens > limit:\n        return .wait(until: now + backoff)\n    return .dispatch(job)\n",
]

def sources():
    texts = []
    for path in sorted(glob.glob("/usr/lib/python3.11/*.py"))[:60]:
        texts.append(open(path, encoding="utf-8", errors="replace").read())
    for path in sorted(glob.glob("/usr/share/common-licenses/*"))[:12]:
        if os.path.isfile(path):
            texts.append(open(path, encoding="utf-8", errors="replace").read())
    return texts

def chunks():
    rng = random.Random(20261121)
    out = list(OWN)
    for text in sources():
        position = 0
        while position < len(text) and len(out) < 400:
            length = rng.choice([60, 150, 400, 900, 2000])
            out.append(text[position:position + length])
            position += length * rng.randint(3, 12)
    # Mixtures, so every class appears next to the others.
    for i in range(40):
        out.append(" ".join(rng.sample(OWN, 3)))
    return [c for c in out if c]

CJK = [(0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF)]

def features(text):
    """Must match ClassEstimate.features in Swift exactly."""
    words = letters = digit_groups = punct = newlines = other_space = cjk = other_letters = other_bytes = 0
    space_runs = 0
    previous_letter = False
    digit_run = 0
    space_run = 0
    for ch in text:
        if ch == " ":
            space_run += 1
        else:
            if space_run >= 2:
                space_runs += 1
            space_run = 0
        c = ord(ch)
        is_letter = c < 128 and ch.isalpha()
        if is_letter:
            letters += 1
            if not previous_letter:
                words += 1
        previous_letter = is_letter
        if c < 128 and ch.isdigit():
            digit_run += 1
        else:
            digit_groups += math.ceil(digit_run / 3)
            digit_run = 0
        if is_letter or (c < 128 and ch.isdigit()) or ch == " ":
            continue
        if c < 128:
            if ch == "\n":
                newlines += 1
            elif ch in "\t\r\x0b\x0c":
                other_space += 1
            elif 0x21 <= c <= 0x7E:
                punct += 1
            else:
                other_space += 1
        elif any(lo <= c <= hi for lo, hi in CJK):
            cjk += 1
        elif ch.isalpha():
            other_letters += 1
        else:
            other_bytes += len(ch.encode("utf-8"))
    digit_groups += math.ceil(digit_run / 3)
    if space_run >= 2:
        space_runs += 1
    return [words, letters, digit_groups, punct, newlines, other_space, cjk, other_letters, other_bytes, space_runs]

def main():
    encodings = {name: tiktoken.get_encoding(name) for name in ("cl100k_base", "o200k_base")}
    rows = []
    for text in chunks():
        ids = {name: enc.encode_ordinary(text) for name, enc in encodings.items()}
        rows.append({"text": text, **{name: len(i) for name, i in ids.items()}, **{name + "_ids": i for name, i in ids.items()}})
    with open(OUT, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} chunks, {sum(len(r['text'].encode()) for r in rows)} bytes -> {OUT}")
    X = np.array([features(r["text"]) for r in rows], dtype=float)
    for name in encodings:
        y = np.array([r[name] for r in rows], dtype=float)
        train, test = slice(0, None, 2), slice(1, None, 2)
        w, *_ = np.linalg.lstsq(X[train], y[train], rcond=None)
        w = np.maximum(w, 0)
        def errors(weights, rows_slice):
            predicted = np.maximum(1, np.rint(X[rows_slice] @ weights))
            return np.abs(predicted - y[rows_slice]) / np.maximum(1, y[rows_slice])
        e = errors(w, test)
        print(name, "weights", [round(float(v), 4) for v in w], "held-out mean abs rel error %.3f p95 %.3f" % (e.mean(), np.percentile(e, 95)))
        for label, estimate in (("characters/4", lambda t: math.ceil(len(t) / 4)), ("bytes/4", lambda t: math.ceil(len(t.encode()) / 4))):
            held = [r for r in rows[1::2]]
            rel = np.array([abs(max(1, estimate(r["text"])) - r[name]) / max(1, r[name]) for r in held])
            print("   ", label, "held-out mean abs rel error %.3f p95 %.3f" % (rel.mean(), np.percentile(rel, 95)))

if __name__ == "__main__":
    main()
