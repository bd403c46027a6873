"""The generated search corpus: seeded articles and answered questions in en, fa, ar and th, and the
mixed queries (words, phrases, typos, filters) and prefixes the search benchmark runs against it."""
import random
from datetime import UTC, datetime, timedelta

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
