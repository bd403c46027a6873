"""The how-to template in each language and the sections an article is read by."""
import re
import unicodedata

# As Python-Markdown: no indent, space after the hashes optional. Closing hashes and blanks
# are stripped in code, not in the pattern, where their backtracking would be quadratic.
_ATX_HEADING = re.compile(r"(#{1,6})(.*)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, dagger alef, tatweel
_INVISIBLE_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_JOINERS = re.compile("[\u200c\u200d]")
_HEADING_DECORATION = re.compile(r"[*_`]")
_TRAILING_PARENTHETICAL = re.compile(r"[(（][^()（）]*[)）]$")
_TRAILING_PUNCTUATION = " :：.؛;،,?؟"
_SLASH_SPACING = re.compile(r" ?/ ?")



def lines_with_code(source: str):
    """(line, in_code) for each line of Markdown source: in_code is true inside a fenced code
    block, its fences included, where a "#" is a comment or a shell prompt, not a heading."""
    open_fence = None
    for line in (source or "").splitlines():
        fence = _FENCE.match(line)
        if open_fence is None and fence:
            open_fence = fence.group(1)
            yield line, True
        elif open_fence is not None:
            if line.strip().startswith(open_fence) and not line.strip().strip(open_fence[0]):
                open_fence = None
            yield line, True
        else:
            yield line, False

def _normalise_heading(text: str) -> str:
    """Reduce heading text to a form that survives keyboard, case and punctuation differences."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE_MARKS.sub("", text)
    text = _ARABIC_MARKS.sub("", text)
    # Persian written on an Arabic keyboard (and back) differs only in yeh and kaf.
    text = text.replace("ي", "ی").replace("ى", "ی").replace("ك", "ک")
    text = _JOINERS.sub(" ", text)
    text = _HEADING_DECORATION.sub("", text)
    # Collapse blanks first, so that no pattern below ever meets a long run of them.
    text = " ".join(text.strip().rstrip("#").split())
    text = _TRAILING_PARENTHETICAL.sub("", text).rstrip(_TRAILING_PUNCTUATION)
    return _SLASH_SPACING.sub("/", text).casefold()


def extract_section(source: str, heading_names) -> str | None:
    """Return the Markdown under the first ``##`` heading named in ``heading_names``.

    Names match case-insensitively, ignoring trailing colons and parentheticals. Returns None
    when no such section exists or it holds nothing but blank lines and comments.
    """
    wanted = {_normalise_heading(name) for name in heading_names}
    body_lines = None
    for line, in_code in lines_with_code(source):
        if not in_code:
            heading = _ATX_HEADING.match(line)
            if heading and len(heading.group(1)) <= 2:
                if body_lines is not None:
                    break
                if len(heading.group(1)) == 2 and _normalise_heading(heading.group(2)) in wanted:
                    body_lines = []
                    continue
        if body_lines is not None:
            body_lines.append(line)
    if body_lines is None:
        return None
    body = "\n".join(body_lines).strip("\n")
    return body if _without_comments(body).strip() else None


def _without_comments(text: str) -> str:
    """Return ``text`` without its closed HTML comments, in linear time."""
    kept = []
    position = 0
    while (start := text.find("<!--", position)) != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            break
        kept.append(text[position:start])
        position = end + 3
    kept.append(text[position:])
    return "".join(kept)


# Template headings are article content in the article's language, not interface text: an
# article written in Thai keeps Thai headings whatever the reader's UI locale, and
# extract_section must recognise them in stored articles. So they are fixed here, not gettext.
HOWTO_SECTIONS = {
    "en": (
        ("Problem / Symptoms",
         "What the customer reports and what you see: error message, account state, since when."),
        ("Cause",
         "Why it happens, in one or two sentences. Write “unknown” if nobody knows yet."),
        ("Steps to resolve",
         "Numbered steps an agent can follow during the call, naming the exact screens and "
         "fields."),
        ("What to tell the customer",
         "Time frame, cost and next step, in words you can read out. "
         "Promise only what you can deliver."),
        ("When to escalate",
         "The cases that need a specialist or a team lead, and whom to hand the contact to."),
    ),
    "fa": (
        ("مشکل / علائم",
         "مشتری چه گزارشی می‌دهد و شما چه می‌بینید: "
         "پیام خطا، وضعیت حساب، از چه زمانی شروع شده است."),
        ("علت",
         "چرا این مشکل پیش می‌آید، در یکی دو جمله. اگر هنوز معلوم نیست، بنویسید «نامشخص»."),
        ("مراحل رفع مشکل",
         "مراحل شماره‌دار که کارشناس بتواند حین تماس انجام دهد، با نام دقیق صفحه‌ها و فیلدها."),
        ("آنچه باید به مشتری بگویید",
         "مدت زمان، هزینه و قدم بعدی، با جمله‌هایی که بتوانید عیناً برای مشتری بخوانید. "
         "فقط قولی بدهید که از عهده‌اش برمی‌آیید."),
        ("چه زمانی ارجاع دهید",
         "مواردی که به کارشناس متخصص یا سرپرست نیاز دارد، و اینکه پرونده را به چه کسی بسپارید."),
    ),
    "ar": (
        ("المشكلة / الأعراض",
         "ما يبلغ عنه العميل وما تراه أنت: رسالة الخطأ، وحالة الحساب، ومتى بدأت المشكلة."),
        ("السبب",
         "لماذا تحدث المشكلة، في جملة أو جملتين. اكتب «غير معروف» إن لم يُعرف السبب بعد."),
        ("خطوات الحل",
         "خطوات مرقّمة يتبعها الموظف أثناء المكالمة، مع ذكر أسماء الشاشات والحقول بدقة."),
        ("ماذا تقول للعميل",
         "المدة المتوقعة والتكلفة والخطوة التالية، بعبارات يمكنك قراءتها للعميل كما هي. "
         "لا تَعِد إلا بما تستطيع الوفاء به."),
        ("متى يتم التصعيد",
         "الحالات التي تحتاج إلى مختص أو مشرف، والجهة التي تُحال إليها."),
    ),
    "th": (
        ("ปัญหา / อาการ",
         "ลูกค้าแจ้งว่าอะไร และคุณเห็นอะไรในระบบ "
         "เช่น ข้อความแจ้งข้อผิดพลาด สถานะบัญชี เริ่มเป็นตั้งแต่เมื่อไร"),
        ("สาเหตุ",
         "ทำไมจึงเกิดปัญหานี้ สรุปสั้น ๆ หนึ่งถึงสองประโยค ถ้ายังไม่ทราบให้เขียนว่า “ยังไม่ทราบ”"),
        ("ขั้นตอนการแก้ไข",
         "ขั้นตอนเรียงตามลำดับที่พนักงานทำตามได้ระหว่างสาย ระบุชื่อหน้าจอและช่องข้อมูลให้ชัดเจน"),
        ("สิ่งที่ต้องแจ้งลูกค้า",
         "ระยะเวลา ค่าใช้จ่าย และขั้นตอนถัดไป เป็นถ้อยคำที่อ่านให้ลูกค้าฟังได้ทันที "
         "สัญญาเฉพาะสิ่งที่ทำได้จริง"),
        ("เมื่อไรควรส่งต่อเรื่อง",
         "กรณีที่ต้องให้ผู้เชี่ยวชาญหรือหัวหน้าทีมดูแล และต้องส่งต่อให้ใคร"),
    ),
}
HOWTO_LANGUAGES = tuple(HOWTO_SECTIONS)
_CUSTOMER_SECTION_INDEX = 3
CUSTOMER_SECTION_HEADINGS = tuple(
    sections[_CUSTOMER_SECTION_INDEX][0] for sections in HOWTO_SECTIONS.values()
)


def howto_template(lang: str) -> str:
    """Return the how-to article skeleton in ``lang`` (en, fa, ar, th; others get English)."""
    # "fa_IR" and "fa-IR" mean Persian too; the template only varies by language.
    language = (lang or "").replace("-", "_").split("_")[0].lower()
    sections = HOWTO_SECTIONS.get(language, HOWTO_SECTIONS["en"])
    # Hints are HTML comments: visible while editing, dropped by the sanitiser if left in.
    return "\n".join(f"## {heading}\n<!-- {hint} -->\n" for heading, hint in sections)


HOWTO_TEMPLATE = howto_template("en")


_HINTS = {_normalise_heading(heading): " ".join(hint.split())
          for sections in HOWTO_SECTIONS.values() for heading, hint in sections}


def _level_two_sections(source: str):
    """(heading as written, body lines) of each ``##`` section of source, code blocks skipped."""
    sections = []
    for line, in_code in lines_with_code(source):
        if not in_code:
            heading = _ATX_HEADING.match(line)
            if heading and len(heading.group(1)) <= 2:
                level_two = len(heading.group(1)) == 2
                sections.append((heading.group(2).strip().rstrip("#").strip(), []) if level_two else None)
                continue
        if sections and sections[-1] is not None:
            sections[-1][1].append(line)
    return [section for section in sections if section is not None]


def untouched_sections(source: str) -> list[str]:
    """Headings of the how-to template's sections (in any language) still holding only their
    hint, or nothing at all: what the author has not written yet.

    A section the author deleted is not listed: the template is a starting point, not a cage.
    """
    untouched = []
    for heading, lines in _level_two_sections(source):
        hint = _HINTS.get(_normalise_heading(heading))
        if hint is None:
            continue
        text = " ".join(_without_comments("\n".join(lines)).split())
        bare = " ".join("\n".join(lines).replace("<!--", " ").replace("-->", " ").split())
        if not text or bare == hint:
            untouched.append(heading)
    return untouched


_SECTION_INDEX = {_normalise_heading(heading): index
                  for sections in HOWTO_SECTIONS.values() for index, (heading, _hint) in enumerate(sections)}


def howto_section_index(heading: str) -> int | None:
    """The position (0–4) of the how-to section named heading, in any template language; else None."""
    return _SECTION_INDEX.get(_normalise_heading(heading))
