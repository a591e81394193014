"""Builds the labelled search-quality set from Debian's python3-doc (scripts/search-quality).

    python make_quality_set.py questions DOCS OUT.jsonl
        Reads the FAQ pages under DOCS/faq and the glossary (the HTML documentation python3-doc
        installs in /usr/share/doc/python3-doc/html) and writes one question per line as
        {"id", "question", "path", "passage"}: every FAQ entry whose answer has at least 10
        words (the question its heading, the passage its answer), and every glossary term whose
        definition has at least 15 ("What is TERM in Python?", the definition); the
        path is the file the corpus keeps that passage in. The file is kept in the repository
        (Benchmarks/quality/questions.jsonl).

    python make_quality_set.py corpus DOCS QUESTIONS.jsonl FOLDER
        Writes the corpus to index: each answer as a file of its own, without its question
        (a quarter each HTML, Markdown, DOCX by python-docx and PDF by fpdf2), beside the rest
        of the documentation as distractors (library, reference, tutorial, howto, using,
        extending, installing: the FAQ itself is left out, as it holds the questions), and a
        third of the tutorial and how-to pages converted to PDF and DOCX. Prints the number
        of files written.

A hit answers a question when its path is the question's path (one relevant passage per
question, so nDCG@10 is 1/log2(rank + 1) of the first hit from that file).
"""
import html
import json
import os
import shutil
import sys
from html.parser import HTMLParser

BLOCKS = {"p", "pre", "dt", "h1", "h2", "h3", "h4"}
VOID = {"br", "img", "meta", "link", "hr", "input", "wbr", "col", "area", "base", "source"}


class Node:
    def __init__(self, tag, attrs):
        self.tag, self.attrs, self.children = tag, dict(attrs), []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def find_all(self, tag):
        for c in self.children:
            if isinstance(c, Node):
                if c.tag == tag:
                    yield c
                yield from c.find_all(tag)


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root", [])
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs)
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(path):
    builder = TreeBuilder()
    with open(path, encoding="utf-8") as f:
        builder.feed(f.read())
    return builder.root


def blocks(node):
    """The answer's paragraphs and code blocks, in order, as (kind, text)."""
    out = []
    for c in node.children:
        if not isinstance(c, Node) or c.tag in ("h2", "h3", "h4", "section"):
            continue
        if c.tag == "pre":
            out.append(("code", c.text().rstrip()))
        elif c.tag in BLOCKS or (c.tag == "li" and not any(isinstance(g, Node) and g.tag in ("p", "pre", "ul", "ol") for g in c.children)):
            text = " ".join(c.text().split())
            if text:
                out.append(("text", text))
        else:
            out.extend(blocks(c))
    return out


def add(questions, question, passage, folder, min_words):
    """Appends the question when its passage has `min_words` words, its file's format the next in turn."""
    if sum(len(t.split()) for _, t in passage) < min_words:
        return
    number = len(questions) + 1
    kind = ["html", "md", "docx", "pdf"][(number - 1) % 4]
    questions.append({"id": number, "question": question, "path": f"answers/{folder}/answer-{number:03d}.{kind}", "passage": passage})


def faq_questions(docs):
    questions = []
    for page in ["general", "programming", "design", "library", "extending", "windows", "gui", "installed"]:
        root = parse(os.path.join(docs, "faq", f"{page}.html"))
        for section in root.find_all("section"):
            if any(True for _ in section.find_all("section")):
                continue
            heading = next((c for c in section.children if isinstance(c, Node) and c.tag in ("h2", "h3", "h4")), None)
            if heading is None:
                continue
            add(questions, " ".join(heading.text().replace("\u00b6", "").split()), blocks(section), page, min_words=10)
    root = parse(os.path.join(docs, "glossary.html"))
    for dl in root.find_all("dl"):
        items = [c for c in dl.children if isinstance(c, Node)]
        for term, definition in zip(items, items[1:]):
            if term.tag != "dt" or definition.tag != "dd" or not term.attrs.get("id", "").startswith("term-"):
                continue
            name = " ".join(term.text().replace("\u00b6", "").split())
            add(questions, f"What is {name} in Python?", blocks(definition), "glossary", min_words=15)
    return questions


def latin1(text):
    return text.encode("latin-1", "replace").decode("latin-1")


def write_answer(path, passage):
    kind = path.rsplit(".", 1)[1]
    if kind == "html":
        body = "".join(f"<pre>{html.escape(t)}</pre>" if k == "code" else f"<p>{html.escape(t)}</p>" for k, t in passage)
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"<html><head><meta charset=\"utf-8\"></head><body>{body}</body></html>")
    elif kind == "md":
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(f"```\n{t}\n```\n\n" if k == "code" else f"{t}\n\n" for k, t in passage))
    elif kind == "docx":
        from docx import Document
        document = Document()
        for _, t in passage:
            document.add_paragraph(t)
        document.save(path)
    else:
        from fpdf import FPDF
        pdf = FPDF()
        pdf.add_page()
        for k, t in passage:
            pdf.set_font("courier" if k == "code" else "helvetica", size=10)
            pdf.multi_cell(0, 5, latin1(t), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        pdf.output(path)


DISTRACTORS = ["library", "reference", "tutorial", "howto", "using", "extending", "installing"]


def write_corpus(docs, questions, folder):
    written = 0
    for q in questions:
        path = os.path.join(folder, q["path"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_answer(path, q["passage"])
        written += 1
    for top in DISTRACTORS:
        for directory, _, files in os.walk(os.path.join(docs, top)):
            for name in sorted(files):
                if not name.endswith(".html"):
                    continue
                source = os.path.join(directory, name)
                relative = os.path.relpath(source, docs)
                target = os.path.join(folder, "docs", relative)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                converted = top in ("tutorial", "howto") and written % 3 != 0
                if converted:
                    root = parse(source)
                    body = next(root.find_all("body"), root)
                    kind = "pdf" if written % 3 == 1 else "docx"
                    write_answer(target[: -len(".html")] + "." + kind, blocks(body))
                else:
                    shutil.copyfile(source, target)
                written += 1
    return written


if __name__ == "__main__":
    if sys.argv[1] == "questions":
        with open(sys.argv[3], "w", encoding="utf-8") as out:
            for q in faq_questions(sys.argv[2]):
                out.write(json.dumps(q, ensure_ascii=False) + "\n")
    elif sys.argv[1] == "corpus":
        with open(sys.argv[3], encoding="utf-8") as f:
            questions = [json.loads(line) for line in f]
        print(write_corpus(sys.argv[2], questions, sys.argv[4]))
    else:
        sys.exit(__doc__)
