"""The morphology the pipeline is built on: prefixes, bound morphemes and suffix rules.

These lists are part of the algorithm; editable word lists live in ``data/spelling_variants.txt``.
"""

from __future__ import annotations

from persian.fold import fold

# A piece after which the next piece belongs to the same word.
PREFIXES = frozenset(["می", "نمی", "بی", "برمی", "درمی", "بازمی", "فرامی", "فرومی", "وامی", "برنمی", "درنمی", "بازنمی"])
# A piece that never stands alone: it belongs to the word before it.
BOUND = frozenset(
    fold(
        """ها های هایی هایم هایت هایش هایمان هایتان هایشان هاشان هاست ای ام ات اش ایم اید اند ی ند یم
    تر ترین تری ترها ترینها ساز سازی سازان پذیر پذیری ناپذیر گذاری گذار گذاران گیری کننده کنندگان
    کنندگی دهنده دهندگان رسانی طلبان طلبی طلبانه گرا گرایی گرایان گرایانه شدگان دیدگان باختگان
    آمیز انگیز مند مندی مندان زاده پور فر شان مان تان گان دار داران پوش پوشان بگیر بگیران افزار
    زدایی ورزی اندرکار اندرکاران گر گری نگار نگاران خواه آوری آزمایی گزار گزاری گزاران جویانه جویی
    نیا"""
    ).split()
)
# ...of which these make a new word of the one before (جنگل‌زدایی, تولیدکننده), which is indexed
# as one of its parts; the rest are endings.
DERIVATIONAL = BOUND - frozenset(
    fold("ها های هایی هایم هایت هایش هایمان هایتان هایشان هاشان هاست ای ام ات اش ایم اید اند ی ند یم").split()
    + fold("تر ترین تری ترها ترینها شان مان تان گان").split()
)
HA = ["ها", "های", "هایی", "هایم", "هایت", "هایش", "هایمان", "هایتان", "هایشان", "هاشان", "هاست"]
# ...also with endings of its own (گذاری‌های, نگارانی); not ها+ی after a consonant, since
# انگیز+های is also انگیزه+ای, a word of its own.
BOUND_FORMS = frozenset(
    bound + e1 + e2
    for bound in BOUND
    for e1 in ("", "ی")
    for e2 in ("", *HA, "ای", "اش", "شان", "تر", "ترین")
    if not (e2.startswith("های") and not (bound + e1).endswith(("ی", "ه")))
) - frozenset(fold("دارای آتی ایشان مانی").split())  # words of their own: سال‌های آتی is two words
# Suffixes: (suffix, stem ending to restore, kind). What may be stripped depends on what hazm says
# about the whole word: nothing from a tagged word (ایران, مردم), plural endings from a word tagged
# plural (خطرات; not سهام), unambiguous endings from an untagged entry (کتابها; not ایرانی), any
# from an unknown word. No ام/م/ت: "my/your" are rare in news and would break سهام, برجام, اقلام.
KIND_HA, KIND_TAR, KIND_HEH, KIND_YAN, KIND_PLURAL, KIND_OTHER = range(6)
SUFFIXES = sorted(
    [(s, "", KIND_HA) for s in HA]
    + [(s, "", KIND_TAR) for s in ("تر", "ترین", "تری", "ترها")]
    + [("ه" + s, "ه", KIND_HEH) for s in ("ای", "ی", "ام", "ات", "اش", "ایم", "اید", "اند", "ایی")]
    + [("دگان", "ده", KIND_HEH)]  # شرکت‌کنندگان, کشته‌شدگان: the plural of a participle
    + [("یان", "ی", KIND_YAN), ("گان", "ه", KIND_PLURAL), ("ات", "ه", KIND_PLURAL)]
    + [("ات", "ت", KIND_PLURAL), ("ات", "", KIND_PLURAL), ("ان", "", KIND_PLURAL)]
    + [(s, "", KIND_OTHER) for s in ("ی", "یی", "اش", "ش", "مان", "شان")],
    key=lambda rule: -len(rule[0]),
)
# These may also leave an untagged stem; a bare -ان may not (مهران, سامان are names).
SUFFIX_STRINGS = tuple({suffix for suffix, _, _ in SUFFIXES})
UNAMBIGUOUS = frozenset((KIND_HA, KIND_TAR, KIND_HEH, KIND_YAN))
PLURAL_ENDINGS = frozenset((KIND_HA, KIND_YAN, KIND_PLURAL))
ANY_ENDING = frozenset(range(6))
NOT_STEMS = frozenset(["به", "بر", "که", "از", "در", "با", "تا", "را"])  # بهترین is not به, برتر not بر
NON_JOINING = frozenset("اآدذرزژو")  # letters that never join the next one
# Splitting an unknown glued word: the short words often glued to the next one (بهصورت,
# درخصوص, ونقل, یکهزار) or to the one before (بازهم, ادارهکل).
GLUED_SHORT = frozenset(["به", "در", "بر", "با", "از", "هر", "یک", "دو", "سه", "و"])
GLUED_SHORT_AFTER = frozenset(["هم", "کل"])
LEFT_ENDINGS = ("ها", "های", "ی", "ای", "ان", "ات")
# Words that mostly end surnames (کاظم‌نژاد, کیانوش‌راد): such a name stays one word, as entity
# discovery needs; spaced, it is two unless protected.
SURNAME_ENDS = frozenset(["نژاد", "راد", "منش", "فرد", "کیا", "مهر", "دوست", "پناه", "نیک"])
# ...of which these join the word before even when spaced (رضایی نژاد is رضایی‌نژاد): alone they
# are rare words (race, generous, character), unlike فرد, مهر or دوست.
SURNAME_JOINS = frozenset(["نژاد", "راد", "منش"])
# Number words: an ordinal ending after one belongs to it (چهل و دومین is چهل‌ودومین, not مین, a mine).
NUMBERS = tuple(
    fold(
        "یک دو سه چهار پنج شش هفت هشت نه ده یازده دوازده سیزده چهارده پانزده شانزده هفده هجده نوزده "
        "بیست سی چهل پنجاه شصت هفتاد هشتاد نود صد دویست سیصد چهارصد پانصد ششصد هفتصد هشتصد نهصد هزار"
    ).split()
)
ORDINALS = ("مین", "م")
# Endings of a known word (امیدواریم, فرزندانشان, رحمانه, اروپاست) that keep it from being split.
ENDINGS = ("ی", "یی", "م", "ت", "ش", "یم", "ید", "ند", "ام", "اش", "ای", "ان", "انی", "انه", "مان", "تان", "شان")
ENDINGS += ("ها", "های", "ست", "است")
STEM_OF = ("ی", "یی", "ای", "ان", "ها", "های")  # چندرسانه: hazm lists چندرسانه‌ای
TAILS = (*sorted(HA, key=len, reverse=True), "ترین", "تر")
