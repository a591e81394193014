"""Writes the 1,000 sentences the native embedding engine is checked on (token ids against
Hugging Face's tokenizers, vectors against a numpy forward pass):

    python3 Tests/python/make_embedding_sentences.py > Tests/Data/embedding/sentences.txt

Prose from the licence texts every Debian machine has (/usr/share/common-licenses), cut at
sentence ends, and hand-written lines that exercise the tokenizer: accents, other scripts
(Greek, Cyrillic, Arabic, Hebrew, Hindi, Chinese, Japanese, Korean), emoji, control and
zero-width characters, punctuation runs, numbers, URLs, code, words longer than 100
characters and texts longer than the model's 256 tokens. Deterministic (seeded).
"""
import glob
import random
import re

random.seed(19)
special = [
    "Übermäßige Blutdruckwerte sollten ärztlich abgeklärt werden.",
    "Le médecin a prescrit un traitement à prendre deux fois par jour.",
    "¿Dónde está la farmacia más cercana? ¡Gracias!",
    "Η αρτηριακή πίεση μετριέται δύο φορές.",
    "Артериальное давление измеряют дважды, сидя.",
    "يجب قياس ضغط الدم مرتين",
    "לחץ הדם נמדד פעמיים בישיבה.",
    "रक्तचाप को दो बार मापा जाना चाहिए।",
    "血压应测量两次，坐姿。",
    "血圧は座った状態で二回測定します。",
    "혈압은 앉은 자세에서 두 번 측정합니다.",
    "Emoji 👩‍⚕️ and 🩺 in a clinic note 😀!",
    "Zero\u200bwidth\u200cjoiners\u200dand\ufeffBOMs are dropped.",
    "Tabs\tand\nnew lines\r\nare spaces.",
    "Control\u0007characters\u0001vanish.",
    "Punctuation!!! ??? ... --- ((nested)) [brackets] {braces} <angles>",
    "Numbers: 3.14159, 1,000,000 and 42% of 7/8.",
    "Visit https://example.org/path?query=1&b=2#frag for details.",
    "func embed(_ texts: [String]) -> [[Float]] { return [] }",
    "SELECT * FROM chunks WHERE text MATCH 'blood pressure';",
    "a" * 150 + " follows a word longer than one hundred characters.",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "Ça, c'est l'œuvre d'Æsop — naïve façade, coöperate, résumé.",
    "İstanbul'da ıslak ışık; Straße; ǅemal; ﬁnance ﬂight.",
    "",
    "   leading and trailing spaces   ",
    "UPPER CASE WORDS ARE LOWERED",
    "Mixed: Ärztekammer-Empfehlung (2026) – siehe §3 Abs. 2!",
]
long_text = " ".join(["The guideline recommends measuring blood pressure at every visit, seated, after five minutes of rest."] * 30)
special.append(long_text)

prose = []
for path in sorted(glob.glob("/usr/share/common-licenses/*")):
    try:
        text = open(path, encoding="utf-8").read()
    except (UnicodeDecodeError, IsADirectoryError):
        continue
    text = re.sub(r"\s+", " ", text)
    for sentence in re.split(r"(?<=[.;:!?])\s+", text):
        sentence = sentence.strip()
        if 3 <= len(sentence.split()) <= 120:
            prose.append(sentence)
prose = sorted(set(prose))
random.shuffle(prose)
lines = special + prose[: 1000 - len(special)]
assert len(lines) == 1000, len(lines)
for line in lines:
    # One sentence per line: new lines inside are written as the escape the loader reads.
    print(line.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r"))
