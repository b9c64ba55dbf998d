"""What a card may show from a snapshot's strings: `$...$` as MathML (outputs/mathml.py), and images only
from Hugging Face's https hosts (core/text.hf_image_url). Hostile input stays text, or shows nothing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.core.text import hf_image_url
from generator.outputs.mathml import MATHML_NS, with_math

MATH = f'<math xmlns="{MATHML_NS}">'


def test_titles_formulas_become_mathml_and_the_rest_stays_escaped_text() -> None:
    out = str(with_math("$\\nabla^2$DFT & <b>$L_2$</b> Norm"))
    assert out == (f"{MATH}<mrow><msup><mo>∇</mo><mn>2</mn></msup></mrow></math>DFT &amp; &lt;b&gt;"
                   f"{MATH}<mrow><msub><mi>L</mi><mn>2</mn></msub></mrow></math>&lt;/b&gt; Norm")


@pytest.mark.parametrize("text", [
    "A $1 Million Benchmark",        # one dollar sign
    "costs $5 and $10 today",        # money: the closing dollar is followed by a digit, the opening by one
    "from $ 5 to $ 10",              # spaces inside the dollars
    "escaped \\$x\\$ dollars",       # \$ is a dollar sign
    "$\\unknowncommand{x}$",         # a command the converter does not know (it would show its name)
    "${$",                           # does not parse
    "$\\text{<b>bold</b>}$",         # the converter would pass the tag through as markup
    "$" + "x" * 400 + "$",           # longer than any inline formula of a title
])
def test_what_is_not_clean_math_stays_the_source_text(text: str) -> None:
    out = str(with_math(text))
    assert "<math" not in out
    assert out == text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("latex", ["\\href{javascript:alert(1)}{x}", "\\style{color:red}{x}",
                                   "\\color{red}{x}", "\\class{x}{y}", "\\mathrm{x}\\mathcolor{red}{y}"])
def test_no_link_style_or_colour_survives_from_a_formula(latex: str) -> None:
    out = str(with_math(f"${latex}$"))
    for word in ("href", "javascript", " style=", "mathcolor", " class="):
        assert word not in out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("$\\{}^_<>&\"'ab1 \n") + ["\\frac", "\\text", "\\href", "\\style"]),
                max_size=40).map("".join))
def test_any_text_gives_well_formed_markup_with_no_element_but_mathml(text: str) -> None:
    out = str(with_math(text))
    root = ET.fromstring(f"<p>{out}</p>")  # well formed: every tag closed, every & and < escaped
    for node in root.iter():
        assert node.tag == "p" or node.tag.startswith("{" + MATHML_NS + "}")
        assert not {name for name in node.attrib if name.lower().startswith("on") or name in ("href", "style")}


@pytest.mark.parametrize(("value", "shown"), [
    ("https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2509.24006.png", True),
    ("https://cdn-avatars.huggingface.co/v1/production/uploads/a.png", True),
    ("https://huggingface.co/front/thumbnails/papers.png", True),
    ("http://cdn-thumbnails.huggingface.co/a.png", False),       # not https
    ("https://evilhuggingface.co/a.png", False),                 # another host ending in the name
    ("https://huggingface.co.example.com/a.png", False),
    ("https://user@cdn-thumbnails.huggingface.co/a.png", False),
    ("https://cdn-thumbnails.huggingface.co:8443/a.png", False),
    ("https://www.gravatar.com/avatar/x", False),
    ("//cdn-thumbnails.huggingface.co/a.png", False),
    ("/avatars/a.png", False),
    ("javascript:alert(1)", False),
    ('https://cdn-thumbnails.huggingface.co/a.png" onerror="alert(1)', False),
    ("", False),
])
def test_only_https_images_of_hugging_faces_hosts_are_shown(value: str, shown: bool) -> None:
    assert hf_image_url(value) == (value if shown else "")
