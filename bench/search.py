"""Benchmark: search over 50,000 generated articles and answered questions in en, fa, ar and th.

Run from the repository root: `.venv/bin/python -m bench search [--docs N] [--queries N]`.
The corpus (seeded) is written to a fresh SQLite database, so that every hit is re-checked as
in production, and indexed through the engine. Measured in-process through the Flask test client
with a bearer token, so the figures are server-side: the search API (p50/p95 over mixed queries
with typos, phrases and filters), as-you-type suggestions, the time from creating an article to
finding it, and the same searches on SQLite FTS5 over the same corpus as a reference.
Targets (SPEC section 8): search p95 <= 30 ms, suggest p95 <= 10 ms.
"""
import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

LANGS = ("en", "fa", "ar", "th")
CATEGORIES = ("billing", "internet", "mobile", "devices", "accounts", "tv")
# Contact-centre vocabulary per language; the generated words after them make up the long tail.
DOMAIN_WORDS = {
    "en": "customer refund invoice payment declined card modem router fibre outage password reset "
          "account contract roaming charge credit voucher delivery signal upgrade cancel subscription "
          "discount balance transfer identity complaint technician appointment warranty replacement "
          "screen battery network coverage speed slow disconnect porting activation tariff overcharge "
          "escalate callback billing receipt promise timeframe firmware antenna handset prepaid".split(),
    "fa": "مشتری بازپرداخت صورتحساب پرداخت کارت مودم اینترنت قطعی رمز حساب قرارداد رومینگ هزینه "
          "اعتبار تحویل آنتن ارتقا لغو اشتراک تخفیف موجودی انتقال شکایت تکنسین گارانتی تعویض باتری "
          "شبکه پوشش سرعت اتصال سیم‌کارت فعال‌سازی تعرفه می‌شود نمی‌شود درخواست‌ها پیگیری تماس".split(),
    "ar": "العميل الاسترداد الفاتورة الدفع البطاقة الراوتر الإنترنت انقطاع كلمة المرور الحساب العقد "
          "التجوال الرسوم الرصيد التوصيل الإشارة الترقية الإلغاء الاشتراك الخصم القسيمة التحويل "
          "الشكوى الفني الموعد الضمان الاستبدال البطارية الشبكة التغطية السرعة الاتصال الشريحة "
          "التفعيل التعرفة مُتابعة شكوى".split(),
    "th": "ลูกค้า การคืนเงิน ใบแจ้งหนี้ ชำระเงิน บัตร เราเตอร์ อินเทอร์เน็ต ขัดข้อง รหัสผ่าน บัญชี สัญญา "
          "ค่าบริการ เครดิต จัดส่ง สัญญาณ อัปเกรด ยกเลิก ส่วนลด ยอดคงเหลือ ร้องเรียน ช่าง นัดหมาย "
          "ประกัน เปลี่ยน แบตเตอรี่ เครือข่าย ความเร็ว ช้า เชื่อมต่อ ซิม เปิดใช้งาน อัตรา".split(),
}
# Made-up words are built from syllables, so that they look like words and typos of them are near.
SYLLABLES = {
    "en": ("ba be bi bo ca ce co da de di do fa fe fo ga ge go ka ke ki la le li lo ma me mi mo na ne ni "
           "no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi ter con ser mer lin tor").split(),
    "fa": "با بی پا تو تی جا چه دا دو را ری زا سا سی شا شو فا کا کو گا گی لا لی ما مو نا نی وا ها یا".split(),
    "ar": "با بو تا تي جا حا خا دا را ري زا سا شا صا طا عا غا فا قا كا لا ما مو نا ها وا يا".split(),
}
VOCABULARY_SIZE = 3000
CORPUS_VERSION = 1  # bump when the generated corpus changes, so that kept corpora are rebuilt
TITLE_WORDS = (3, 8)
ARTICLE_WORDS = (40, 140)
QUESTION_WORDS = (12, 40)
ANSWER_WORDS = (20, 70)
QUESTION_SHARE = 0.35
ARABIC_KEYBOARD = str.maketrans({"ی": "ي", "ک": "ك"})


def make_vocabulary(rng, lang):
    """Domain words first (the commonest under Zipf sampling), then made-up or dictionary words."""
    if lang == "th":  # Thai is segmented with a dictionary: made-up Thai would not be words
        from pythainlp.corpus import thai_words

        pool = sorted(word for word in thai_words() if word.isalpha() and 2 <= len(word) <= 8)
        return list(dict.fromkeys(DOMAIN_WORDS[lang] + rng.sample(pool, VOCABULARY_SIZE)))[:VOCABULARY_SIZE]
    vocabulary = dict.fromkeys(DOMAIN_WORDS[lang])
    while len(vocabulary) < VOCABULARY_SIZE:
        made_up = "".join(rng.choices(SYLLABLES[lang], k=rng.randint(2, 4)))
        vocabulary.setdefault(("ال" + made_up) if lang == "ar" and rng.random() < 0.3 else made_up)
    return list(vocabulary)


class Corpus:
    """Seeded text generator: Zipf-distributed words; Thai written without spaces, as it is."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.vocabulary = {lang: make_vocabulary(self.rng, lang) for lang in LANGS}
        self.weights = [1 / (rank + 1) for rank in range(VOCABULARY_SIZE)]

    def words(self, lang, low, high):
        return self.rng.choices(self.vocabulary[lang], self.weights, k=self.rng.randint(low, high))

    def text(self, lang, low, high):
        chosen = self.words(lang, low, high)
        if lang == "th":
            return " ".join("".join(chosen[i:i + 5]) for i in range(0, len(chosen), 5))
        return " ".join(chosen)


def make_rows(count, seed=2026):
    """Generated articles and answered questions: (articles, questions), each a list of dicts."""
    corpus = Corpus(seed)
    rng = corpus.rng
    now = datetime.now(UTC)
    articles, questions = [], []
    for number in range(count):
        lang = LANGS[number % len(LANGS)]
        row = {"lang": lang, "title": corpus.text(lang, *TITLE_WORDS), "category": rng.choice(CATEGORIES),
               "tags": [rng.choice(DOMAIN_WORDS[lang])],
               "updated_at": now - timedelta(days=rng.randint(0, 720))}
        if rng.random() < QUESTION_SHARE:
            row["body"] = corpus.text(lang, *QUESTION_WORDS)
            row["answers"] = [(corpus.text(lang, *ANSWER_WORDS), rng.randint(-1, 12))
                              for _ in range(rng.randint(1, 3))]
            questions.append(row)
        else:
            row["body"] = corpus.text(lang, *ARTICLE_WORDS)
            row["helpful"], row["unhelpful"] = rng.randint(0, 40), rng.randint(0, 10)
            row["verified"] = rng.random() < 0.7
            articles.append(row)
    return corpus, articles, questions


def make_app(directory):
    """An application on a new SQLite database and search directory under `directory`."""
    from app import create_app

    return create_app({
        "TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": str(directory),
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(directory / "bench.db"),
        "SEARCH_DIR": str(directory / "search"), "SEARCH_AUTO_REBUILD": False,
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    })


def load_database(articles, questions):
    """Insert the corpus with bulk inserts; sets each row's "id"; returns the API users."""
    from sqlalchemy import insert, update

    from accounts import services as accounts
    from extensions import db
    from kb import services
    from kb.models import Article
    from mentoring.models.questions import Answer, Question

    db.create_all()
    agent = accounts.create_user("bench-agent", role="agent", password="bench-password-1")
    lead = accounts.create_user("bench-lead", role="lead", password="bench-password-1")
    categories = {slug: services.create_category(slug.title(), slug) for slug in CATEGORIES}
    db.session.flush()
    now = datetime.now(UTC)
    db.session.execute(insert(Article), [{
        "title": row["title"][:200], "slug": "bench", "body": row["body"], "category_id": categories[row["category"]].id,
        "lang": row["lang"], "status": "published", "author_id": agent.id, "created_at": row["updated_at"],
        "updated_at": row["updated_at"], "published_at": row["updated_at"],
        "verified_at": now if row["verified"] else None, "review_due": now + timedelta(days=90),
        "helpful_count": row["helpful"], "unhelpful_count": row["unhelpful"]} for row in articles])
    db.session.execute(insert(Question), [{
        "title": row["title"][:200], "body": row["body"], "html": "", "category_id": categories[row["category"]].id,
        "lang": row["lang"], "author_id": agent.id, "status": "answered", "answer_count": len(row["answers"]),
        "created_at": row["updated_at"], "updated_at": row["updated_at"]} for row in questions])
    assign_ids(articles, questions)
    db.session.execute(insert(Answer), [{
        "question_id": row["id"], "body": body, "html": "", "author_id": lead.id, "score": score,
        "accepted": index == 0, "created_at": row["updated_at"], "updated_at": row["updated_at"]}
        for row in questions for index, (body, score) in enumerate(row["answers"])])
    accepted = db.session.execute(db.select(Answer.question_id, Answer.id).where(Answer.accepted.is_(True))).all()
    db.session.execute(update(Question), [{"id": question_id, "accepted_answer_id": answer_id}
                                          for question_id, answer_id in accepted])
    token = accounts.issue_api_token(agent)
    db.session.commit()
    return {"Authorization": "Bearer " + token}


def assign_ids(articles, questions):
    """Give each generated row the id the database gave it (rows were inserted in order)."""
    from extensions import db
    from kb.models import Article
    from mentoring.models.questions import Question

    for rows, model in ((articles, Article), (questions, Question)):
        for row, row_id in zip(rows, db.session.scalars(db.select(model.id).order_by(model.id))):
            row["id"] = row_id


def reuse_database(articles, questions):
    """The API headers of a corpus loaded by an earlier run; sets each row's "id"."""
    from accounts import services as accounts
    from extensions import db

    assign_ids(articles, questions)
    token = accounts.issue_api_token(accounts.get_user("bench-agent"))
    db.session.commit()
    return {"Authorization": "Bearer " + token}


def documents_of(articles, questions):
    """The search documents of the corpus, as kb.search.documents would build them."""
    from kb.search import documents

    now = datetime.now(UTC)
    for row in articles:
        boost = (documents.BASE_BOOST + documents.recency_boost(row["updated_at"], now)
                 + documents.helpful_boost(row["helpful"], row["unhelpful"])
                 + (documents.VERIFIED_BOOST if row["verified"] else 0))
        yield {"key": f"article:{row['id']}", "type": "article", "id": row["id"], "title": row["title"][:200],
               "body": row["body"], "category": row["category"], "lang": row["lang"], "tags": row["tags"],
               "boost": boost, "updated_at": row["updated_at"]}
    for row in questions:
        accepted = SimpleNamespace(score=row["answers"][0][1])
        question = SimpleNamespace(updated_at=row["updated_at"])
        yield {"key": f"question:{row['id']}", "type": "question", "id": row["id"], "title": row["title"][:200],
               "body": "\n".join([row["body"]] + [body for body, _score in row["answers"]]),
               "category": row["category"], "lang": row["lang"], "tags": row["tags"],
               "boost": documents.question_boost(question, accepted, now), "updated_at": row["updated_at"]}


def typo(word, rng):
    """The word with two neighbouring letters swapped (the commonest slip)."""
    if len(word) < 5:
        return word
    position = rng.randint(1, len(word) - 3)
    return word[:position] + word[position + 1] + word[position] + word[position + 2:]


QUERY_SHAPES = ("one word", "two words", "phrase", "typo", "word+category+lang", "two words, questions",
                "arabic keyboard", "three words, articles")


def make_queries(corpus, rows, count, seed=7):
    """Mixed queries, (shape, text, filters): words, phrases from real texts, typos, filters."""
    rng = random.Random(seed)
    queries = []
    for number in range(count):
        lang = LANGS[number % len(LANGS)]
        common = corpus.vocabulary[lang][:400]
        first, second, third = rng.choice(common), rng.choice(common), rng.choice(common)
        shape = QUERY_SHAPES[number % len(QUERY_SHAPES)]
        if shape == "phrase":
            text = rng.choice([row for row in rows if row["lang"] == lang])["body"].split()
            start = rng.randrange(max(1, len(text) - 1))
            query = ('"%s"' % " ".join(text[start:start + 2]), {})
        elif shape == "typo":
            query = (typo(rng.choice([word for word in common if len(word) >= 6] or common), rng), {})
        else:
            query = {
                "one word": (first, {}),
                "two words": (f"{first} {second}", {}),
                "word+category+lang": (first, {"category": rng.choice(CATEGORIES), "lang": lang}),
                "two words, questions": (f"{first} {second}", {"type": "question"}),
                "arabic keyboard": (first.translate(ARABIC_KEYBOARD), {"lang": lang}),
                "three words, articles": (f"{first} {second} {third}", {"type": "article"}),
            }[shape]
        queries.append((shape, *query))
    return queries


def make_prefixes(corpus, count, seed=9):
    """What agents have typed so far: the start of a title word, sometimes after a whole word."""
    rng = random.Random(seed)
    prefixes = []
    for number in range(count):
        lang = LANGS[number % len(LANGS)]
        word = rng.choice(corpus.vocabulary[lang][:300])
        prefix = word[:rng.randint(2, max(2, len(word)))]
        prefixes.append(f"{rng.choice(corpus.vocabulary[lang][:100])} {prefix}" if number % 3 == 0 else prefix)
    return prefixes


def percentiles(samples):
    """(p50, p95) of milliseconds."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(len(ordered) * 0.95) - 1)]


def time_api(client, headers, path, calls):
    """Milliseconds per request (wall, in-process) and the server's took_ms where given."""
    wall, took = [], []
    for params in calls:
        started = time.perf_counter()
        response = client.get(path, query_string=params, headers=headers)
        wall.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path} {params!r}: {response.status_code} {response.get_data(as_text=True)[:200]}")
        body = response.get_json()
        if "took_ms" in body:
            took.append(body["took_ms"])
    return wall, took


def time_new_article(app, client, headers, repeats=5):
    """Seconds from creating and committing a published article to finding it through the API."""
    from accounts.services import get_user
    from extensions import db
    from kb import services

    samples = []
    run = random.Random().randrange(10 ** 6)  # a kept corpus has the articles of earlier runs
    for number in range(repeats):
        word = f"zebracorn{run}x{number}"
        started = time.perf_counter()
        with app.app_context():
            services.create_article(get_user("bench-lead"), f"New outage {word}", f"Fresh advice about {word}.",
                                    "internet", status="published")
            db.session.commit()
        while not client.get("/api/v1/search", query_string={"q": word}, headers=headers).get_json()["total"]:
            if time.perf_counter() - started > 30:
                raise RuntimeError("the new article did not become searchable within 30 s")
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def fts5_statement(text, filters):
    """An FTS5 MATCH expression and WHERE filters for one of our queries (words ANDed, phrases kept)."""
    if text.startswith('"'):
        match = '"%s"' % text.strip('"').replace('"', "")
    else:
        match = " ".join('"%s"' % word.replace('"', "") for word in text.split())
    where, params = ["docs MATCH ?"], [match]
    for name, column in (("type", "kind"), ("category", "category"), ("lang", "lang")):
        if filters.get(name):
            where.append(f"{column} = ?")
            params.append(filters[name])
    return " AND ".join(where), params


def time_fts5(path, documents, queries):
    """Build an FTS5 table of the same documents; milliseconds per query (top 10 with snippets + count)."""
    connection = sqlite3.connect(path)
    connection.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tags, kind UNINDEXED, "
                       "category UNINDEXED, lang UNINDEXED, tokenize='unicode61 remove_diacritics 2')")
    started = time.perf_counter()
    connection.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)",
                           [(doc["title"], doc["body"], " ".join(doc["tags"]), doc["type"], doc["category"],
                             doc["lang"]) for doc in documents])
    connection.commit()
    build_seconds = time.perf_counter() - started
    samples = []
    for _shape, text, filters in queries:
        where, params = fts5_statement(text, filters)
        started = time.perf_counter()
        connection.execute(f"SELECT rowid, title, snippet(docs, 1, '<mark>', '</mark>', '…', 24), "
                           f"bm25(docs, 3.0, 1.0, 1.0) AS rank FROM docs WHERE {where} ORDER BY rank LIMIT 10",
                           params).fetchall()
        connection.execute(f"SELECT count(*) FROM docs WHERE {where}", params).fetchone()
        samples.append((time.perf_counter() - started) * 1000)
    connection.close()
    return build_seconds, samples


def time_engine(engine, queries):
    """Milliseconds per query of the engine alone (no request, no database check)."""
    samples = []
    for _shape, text, filters in queries:
        started = time.perf_counter()
        engine.search(text, **filters)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def report(label, samples, target=None):
    """One line of the results table."""
    p50, p95 = percentiles(samples)
    verdict = "" if target is None else ("  ok" if p95 <= target else f"  over the {target} ms target")
    print(f"  {label:<50} {p50:8.1f} {p95:8.1f} {max(samples):8.1f}{verdict}")


def prepare(directory, docs):
    """The app on a loaded and indexed corpus in `directory`, reused when it was built with the same size."""
    from kb.search.sync import current_search

    started = time.perf_counter()
    corpus, articles, questions = make_rows(docs)
    manifest = directory / "corpus.txt"
    reuse = manifest.exists() and manifest.read_text() == f"{docs} {CORPUS_VERSION}"
    app = make_app(directory)
    with app.app_context():
        headers = load_database(articles, questions) if not reuse else reuse_database(articles, questions)
    documents = list(documents_of(articles, questions))
    print(f"search corpus: {len(articles):,} articles and {len(questions):,} answered questions in "
          f"{', '.join(LANGS)}; {'reused' if reuse else 'generated and stored'} in {time.perf_counter() - started:.1f} s")
    if not reuse:
        started = time.perf_counter()
        current_search(app).engine.rebuild(documents)
        print(f"index build (engine.rebuild of {len(documents):,} documents): {time.perf_counter() - started:.1f} s")
        manifest.write_text(f"{docs} {CORPUS_VERSION}")
    return app, headers, corpus, articles + questions, documents


def main(argv=None):
    """Generate, load and index the corpus, run the measurements, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--keep", metavar="DIR", help="build the corpus in DIR and reuse it on later runs")
    arguments = parser.parse_args(argv)

    from kb.search.sync import current_search

    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(arguments.keep or scratch)
        directory.mkdir(parents=True, exist_ok=True)
        app, headers, corpus, rows, documents = prepare(directory, arguments.docs)
        engine = current_search(app).engine
        engine.warm_up()
        queries = make_queries(corpus, rows, arguments.queries)
        calls = [{"q": text, **filters} for _shape, text, filters in queries]
        client = app.test_client()
        time_api(client, headers, "/api/v1/search", calls[:20])  # first requests load templates and caches
        search_wall, search_took = time_api(client, headers, "/api/v1/search", calls)
        engine_only = time_engine(engine, queries)
        prefixes = make_prefixes(corpus, arguments.queries)
        suggest_wall, _ = time_api(client, headers, "/api/v1/suggest", [{"q": prefix} for prefix in prefixes])
        new_article = time_new_article(app, client, headers)
        fts_build, fts_samples = time_fts5(str(Path(scratch) / "fts5.db"), documents, queries)
        engine.close()

    print(f"\n  {'milliseconds':<50} {'p50':>8} {'p95':>8} {'max':>8}")
    report(f"search API, {len(calls)} queries (request)", search_wall, target=30)
    report("  took_ms (engine + database check)", search_took)
    report("  engine alone, same queries", engine_only)
    for shape in QUERY_SHAPES:
        report(f"    {shape}", [ms for (kind, _t, _f), ms in zip(queries, search_wall) if kind == shape])
    report(f"suggest API, {len(prefixes)} prefixes (request)", suggest_wall, target=10)
    report("new article searchable (create+commit → found)", new_article)
    report(f"SQLite FTS5 reference, same queries (built {fts_build:.1f} s)", fts_samples)
    print("  (FTS5 has no Thai segmentation, Persian/Arabic folding or typo tolerance: a speed reference only)")


if __name__ == "__main__":
    main()
