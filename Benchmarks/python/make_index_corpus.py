"""Writes a tree of generated documents for the index's end-to-end proof (scripts/index-e2e):

    python make_index_corpus.py COUNT FOLDER

COUNT documents in 20 folders, a quarter each PDF (fpdf2), DOCX (python-docx), Markdown and
HTML, each a title, two or three sections with headings and 80 to 200 words of prose from
Tests/Data/embedding/sentences.txt (Debian's licence texts), deterministic (seeded). Prints
the number of files written.
"""
import os
import random
import sys

from docx import Document
from fpdf import FPDF

count, folder = int(sys.argv[1]), sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
sentences = [line.rstrip("\n") for line in open(os.path.join(here, "../../Tests/Data/embedding/sentences.txt"), encoding="utf-8")]
sentences = [s for s in sentences if s.isascii() and 5 <= len(s.split()) <= 60 and "\\" not in s]
random.seed(2000)


def section_text():
    words, out = 0, []
    target = random.randint(80, 200)
    while words < target:
        sentence = random.choice(sentences)
        out.append(sentence)
        words += len(sentence.split())
    return " ".join(out)


def write(path, kind, title, sections):
    if kind == "md":
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"# {title}\n\n" + "".join(f"## {h}\n\n{t}\n\n" for h, t in sections))
    elif kind == "html":
        with open(path, "w", encoding="utf-8") as f:
            body = "".join(f"<h2>{h}</h2><p>{t}</p>" for h, t in sections)
            f.write(f"<html><head><title>{title}</title><script>var x = 1;</script></head><body><h1>{title}</h1>{body}</body></html>")
    elif kind == "docx":
        document = Document()
        document.add_heading(title, level=1)
        for h, t in sections:
            document.add_heading(h, level=2)
            document.add_paragraph(t)
        document.save(path)
    else:
        pdf = FPDF()
        pdf.set_font("helvetica", size=11)
        pdf.add_page()
        pdf.multi_cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
        for h, t in sections:
            pdf.add_page()
            pdf.multi_cell(0, 6, h, new_x="LMARGIN", new_y="NEXT")
            pdf.multi_cell(0, 6, t, new_x="LMARGIN", new_y="NEXT")
        pdf.output(path)


kinds = ["pdf", "docx", "md", "html"]
for number in range(count):
    kind = kinds[number % 4]
    directory = os.path.join(folder, f"area-{number % 20:02d}")
    os.makedirs(directory, exist_ok=True)
    title = f"Document {number}: " + " ".join(random.choice(sentences).split()[:5])
    sections = [(f"Section {i + 1} of document {number}", section_text()) for i in range(random.randint(2, 3))]
    write(os.path.join(directory, f"doc-{number:04d}.{kind}"), kind, title, sections)
print(count)
