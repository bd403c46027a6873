"""Timing smoke test of the search core: index generated mixed-language documents, time queries.

Run: .venv/bin/python bench/search_engine_smoke.py [--docs 5000] [--queries 400]
Prints the rebuild time, search and suggest latency (p50/p95, wall clock and CPU), the time to
make one new document searchable, and the cost of Thai segmentation per KB. Not a test: nothing
here asserts. Query words come from the 300 commonest of each language's 4,000-word Zipf
vocabulary, so most queries match a large share of the documents: a harsh case.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pythainlp.corpus import thai_words  # noqa: E402

from search.analysis import segment_thai, split_words  # noqa: E402
from search.engine import WhooshEngine  # noqa: E402

WORDS = {
    "en": ("refund billing invoice customer payment card router internet outage password reset "
           "account escalate contract roaming charge credit delivery modem signal upgrade cancel "
           "subscription discount voucher balance transfer verify identity complaint technician "
           "appointment warranty replacement broken screen battery network coverage fibre speed "
           "slow disconnect reconnect number porting sim activation tariff overcharge").split(),
    "fa": ("بازپرداخت صورتحساب مشتری پرداخت کارت مودم اینترنت قطعی رمز بازنشانی حساب قرارداد "
           "رومینگ هزینه اعتبار تحویل سیگنال ارتقا لغو اشتراک تخفیف موجودی انتقال شکایت تکنسین "
           "گارانتی تعویض باتری شبکه پوشش سرعت کند اتصال سیم‌کارت فعال‌سازی تعرفه می‌شود "
           "نمی‌شود کتاب‌ها درخواست‌ها").split(),
    "ar": ("الاسترداد الفاتورة العميل الدفع البطاقة الراوتر الإنترنت انقطاع كلمة المرور الحساب "
           "العقد التجوال الرسوم الرصيد التوصيل الإشارة الترقية الإلغاء الاشتراك الخصم القسيمة "
           "التحويل الشكوى الفني الموعد الضمان الاستبدال البطارية الشبكة التغطية السرعة بطيء "
           "الاتصال الشريحة التفعيل التعرفة").split(),
    "th": ("การคืนเงิน ใบแจ้งหนี้ ลูกค้า การชำระเงิน บัตร เราเตอร์ อินเทอร์เน็ต ขัดข้อง รหัสผ่าน "
           "บัญชี สัญญา ค่าบริการ เครดิต การจัดส่ง สัญญาณ อัปเกรด ยกเลิก ส่วนลด ยอดคงเหลือ "
           "ร้องเรียน ช่างเทคนิค นัดหมาย การรับประกัน เปลี่ยน แบตเตอรี่ เครือข่าย ความเร็ว "
           "ช้า เชื่อมต่อ ซิม เปิดใช้งาน อัตรา ต้อง ภายใน วัน ทำการ").split(),
}
CATEGORIES = ("billing", "internet", "mobile", "devices", "accounts")
LETTERS = {
    "en": "abcdefghijklmnopqrstuvwxyz",
    "fa": "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی",
    "ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
}
VOCABULARY_SIZE = 4000


def make_vocabulary(rng, lang):
    """Domain words first, then generated words: Zipf sampling makes the first ones the commonest."""
    words = list(WORDS[lang])
    if lang == "th":  # real dictionary words: segmentation speed depends on it
        pool = sorted(word for word in thai_words() if word.isalpha() and len(word) > 1)
        return words + rng.sample(pool, VOCABULARY_SIZE - len(words))
    letters = LETTERS[lang]
    seen = set(words)
    while len(words) < VOCABULARY_SIZE:
        word = "".join(rng.choice(letters) for _ in range(rng.randint(3, 9)))
        if lang == "ar" and rng.random() < 0.3:
            word = "ال" + word
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


_RNG = random.Random(5)
VOCABULARY = {lang: make_vocabulary(_RNG, lang) for lang in WORDS}
ZIPF_WEIGHTS = [1 / (rank + 1) for rank in range(VOCABULARY_SIZE)]


def make_text(rng, lang, words):
    """Random text of `words` Zipf-distributed words; Thai words run together as Thai writes them."""
    chosen = rng.choices(VOCABULARY[lang], ZIPF_WEIGHTS, k=words)
    if lang == "th":
        return " ".join("".join(chosen[i:i + 6]) for i in range(0, len(chosen), 6))
    return " ".join(chosen)


def make_docs(count, seed=7):
    """Generated articles and questions in the four languages."""
    rng = random.Random(seed)
    for number in range(1, count + 1):
        lang = ("en", "fa", "ar", "th")[number % 4]
        kind = "article" if number % 3 else "question"
        yield {
            "key": f"{kind}:{number}", "type": kind, "id": number, "lang": lang,
            "title": make_text(rng, lang, rng.randint(3, 8)),
            "body": make_text(rng, lang, rng.randint(60, 200)),
            "category": rng.choice(CATEGORIES), "tags": [rng.choice(WORDS[lang])],
            "boost": rng.choice((0.0, 0.0, 0.2, 0.5, 1.0)),
        }


def make_queries(rng, count):
    """A mix of one- and two-word queries, phrases, typos and filters in all languages."""
    queries = []
    for number in range(count):
        lang = ("en", "fa", "ar", "th")[number % 4]
        first, second = (rng.choice(VOCABULARY[lang][:300]) for _ in range(2))
        shape = number % 5
        if shape == 0:
            queries.append((first, {}))
        elif shape == 1:
            queries.append((f"{first} {second}", {}))
        elif shape == 2:
            queries.append((f'"{first} {second}"', {}))
        elif shape == 3 and len(first) > 4:  # a swap of two neighbouring letters
            queries.append((first[:2] + first[3] + first[2] + first[4:], {}))
        else:
            queries.append((first, {"category": rng.choice(CATEGORIES), "lang": lang}))
    return queries


def percentiles(samples):
    """p50 and p95 of a list of milliseconds."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def time_calls(calls):
    """Wall-clock and CPU milliseconds taken by each call (CPU time is steadier on a busy machine)."""
    wall, cpu = [], []
    for call in calls:
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def report(label, wall, cpu):
    """Print p50/p95 of wall-clock and CPU milliseconds."""
    (p50, p95), (cpu50, cpu95) = percentiles(wall), percentiles(cpu)
    print(f"{label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(wall):.1f} ms "
          f"(CPU p50 {cpu50:.1f} ms, p95 {cpu95:.1f} ms)")


def main():
    """Run the benchmark and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=400)
    args = parser.parse_args()
    rng = random.Random(11)

    segment_thai("ลูกค้า")  # loads the dictionary, a one-off cost per process
    thai_kb = make_text(rng, "th", 400).encode()[:1024].decode(errors="ignore")
    started = time.perf_counter()
    split_words(thai_kb)
    cold = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    split_words(thai_kb)
    warm = (time.perf_counter() - started) * 1000
    print(f"Thai analysis per 1 KB: {cold:.2f} ms uncached, {warm:.2f} ms cached "
          f"({segment_thai.cache_info().currsize} runs cached)")

    with tempfile.TemporaryDirectory() as index_dir:
        engine = WhooshEngine(index_dir)
        started = time.perf_counter()
        engine.rebuild(make_docs(args.docs))
        print(f"rebuild of {args.docs} docs: {time.perf_counter() - started:.1f} s")

        queries = make_queries(rng, args.queries)
        engine.warm_up()
        report(f"search ({len(queries)} queries)", *time_calls(
            lambda q=q, f=f: engine.search(q, **f) for q, f in queries))

        prefixes = []
        for number in range(args.queries):
            title = rng.choice(WORDS[("en", "fa", "ar", "th")[number % 4]])
            prefixes.append(title[: rng.randint(2, max(2, len(title)))])
        report(f"suggest ({len(prefixes)} prefixes)", *time_calls(
            lambda p=p: engine.suggest(p) for p in prefixes))

        new_doc = {"key": "article:0", "type": "article", "id": 0, "title": "zebracorn outage",
                   "body": "fresh article", "lang": "en"}
        wall, _cpu = time_calls([lambda: engine.index_documents([new_doc]),
                                 lambda: engine.search("zebracorn")])
        print(f"new document searchable: write {wall[0]:.0f} ms + first search {wall[1]:.0f} ms")
        engine.close()


if __name__ == "__main__":
    main()
