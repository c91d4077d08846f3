"""The Chinese text pipeline shared by every search backend (English words too: plurals
are folded to the singular, so "cranes" in an English title meets "crane" in a query).

NFKC (全角 ５Ｇ → 5G) and lowercase, then jieba segmentation with a domain dictionary,
then synonyms rewritten to one canonical word and stop words dropped. A search's query also
brings, for the English words and phrases it knows (``english.txt``; glaze, remote control),
their Chinese words: an English query finds listings written only in Chinese. Documents are cut
in jieba's search mode (whole words *and* the shorter words inside them, so 农业 finds
中国农业发展银行); queries are cut in precise mode. Either way the result is a list of
words, and the backends index and match whole words: 陶瓷 does not find 瓷砖.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import jieba

_WORD = re.compile(r"[\w]", re.UNICODE)
_LATIN = re.compile(r"^[a-z]+$")
_LATIN_RUN = re.compile(r"[a-z]+")


def normalize(text: str) -> str:
    """NFKC and lowercase: ``"５Ｇ ＭＥＣ"`` → ``"5g mec"``."""
    return unicodedata.normalize("NFKC", text).lower()


def is_latin_word(token: str) -> bool:
    return bool(_LATIN.match(token))


def english_singular(word: str) -> str:
    """A plural English word as its singular, roughly (cranes → crane, batteries → battery,
    boxes → box), so that the English of a title and of a query meet; other words as they
    are. Only Latin-letter words longer than three letters are touched."""
    if not is_latin_word(word) or len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses", "zzes")):  # glazes → glaze, buzzes → buzz
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def latin_words(text: str) -> tuple[str, ...]:
    """The English words of ``text``, lowercased and in the singular, in order."""
    return tuple(english_singular(w) for w in _LATIN_RUN.findall(normalize(text)))


def _read_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


@dataclass
class TextPipeline:
    """Segmentation, synonyms and stop words; one instance per process is enough."""

    dictionary: list[str] = field(default_factory=list)
    synonyms: list[list[str]] = field(default_factory=list)
    stopwords: frozenset[str] = frozenset()
    # An English word or phrase → Chinese words a search for it also looks for.
    english: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        jieba.setLogLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._canonical: dict[str, str] = {}
        for group in self.synonyms:
            words = [normalize(w) for w in group]
            for word in words:
                self._canonical[word] = words[0]
        domain_words = {normalize(w) for w in self.dictionary} | set(self._canonical)
        self._domain_words = frozenset(domain_words)
        for word in sorted(domain_words):
            if is_latin_word(word):
                continue  # jieba keeps a run of letters whole; as a word it would split "cranes"
            # High frequency so the domain word wins over splits of it.
            self._tokenizer.add_word(word, freq=2_000_000)
        self._ready = False
        self._english: dict[tuple[str, ...], list[str]] = {}
        for phrase, chinese in self.english.items():
            key = latin_words(phrase)
            if key:
                self._english.setdefault(key, []).extend(chinese)
        self._english_words: dict[tuple[str, ...], list[str]] | None = None
        self._longest_phrase = max((len(k) for k in self._english), default=0)

    @classmethod
    def from_directory(
        cls, directory: Path, *, english: dict[str, list[str]] | None = None
    ) -> TextPipeline:
        """Read ``dictionary.txt``, ``synonyms.txt``, ``stopwords.txt`` and (if present)
        ``english.txt`` from ``directory``; ``english`` adds English words or phrases."""
        dictionary = [line.split()[0] for line in _read_lines(directory / "dictionary.txt")]
        synonyms = [
            [w.strip() for w in line.split(",") if w.strip()]
            for line in _read_lines(directory / "synonyms.txt")
        ]
        stopwords = frozenset(normalize(w) for w in _read_lines(directory / "stopwords.txt"))
        terms: dict[str, list[str]] = {}
        if (directory / "english.txt").exists():
            for line in _read_lines(directory / "english.txt"):
                phrase, _sep, words = line.partition("=")
                terms.setdefault(phrase.strip(), []).extend(
                    w.strip() for w in words.split(",") if w.strip()
                )
        for phrase, chinese in (english or {}).items():
            terms.setdefault(phrase, []).extend(chinese)
        return cls(dictionary=dictionary, synonyms=synonyms, stopwords=stopwords, english=terms)

    def _ensure_ready(self) -> None:
        if not self._ready:
            with self._lock:
                if not self._ready:
                    self._tokenizer.initialize()
                    self._ready = True

    def _clean(self, tokens: Iterable[str]) -> list[str]:
        out = []
        for token in tokens:
            token = token.strip()
            if not token or not _WORD.search(token):
                continue
            if token in self.stopwords:
                continue
            token = english_singular(token)
            token = self._canonical.get(token, token)
            if token in self.stopwords:
                continue
            out.append(token)
        return out

    def document_tokens(self, text: str) -> list[str]:
        """Words of a document: search-mode segmentation, with repeats kept (for term frequency)."""
        self._ensure_ready()
        return self._clean(self._tokenizer.cut_for_search(normalize(text), HMM=False))

    def query_tokens(self, text: str) -> list[str]:
        """Words of a query: precise segmentation, each word once, in order."""
        self._ensure_ready()
        words = self._clean(self._tokenizer.cut(normalize(text), HMM=False))
        return list(dict.fromkeys(words))

    def search_words(self, text: str) -> list[str]:
        """A search's words: :meth:`query_tokens`, then the Chinese words of each English
        word or phrase of ``english`` found in ``text`` (whole words, in order; plurals
        folded). The backends match any of them, so the English of a listing still counts."""
        words = self.query_tokens(text)
        latin = latin_words(text)
        if not latin or not self._english:
            return words
        chinese = self._chinese_words()
        found: list[str] = []
        for start in range(len(latin)):
            for size in range(min(self._longest_phrase, len(latin) - start), 0, -1):
                found += chinese.get(latin[start : start + size], [])
        return list(dict.fromkeys([*words, *found]))

    def _chinese_words(self) -> dict[tuple[str, ...], list[str]]:
        """``english``'s Chinese, cut and rewritten as queries are (once, when first used)."""
        if self._english_words is None:
            self._english_words = {
                key: list(dict.fromkeys(w for term in terms for w in self.query_tokens(term)))
                for key, terms in self._english.items()
            }
        return self._english_words

    def segment_document(self, text: str) -> str:
        """The document's words joined by spaces: what a segmented field stores."""
        return " ".join(self.document_tokens(text))

    def is_domain_word(self, word: str) -> bool:
        """A word of the domain dictionary or a synonym group (网络切片, 天车 …)."""
        return word in self._domain_words

    def canonical(self, word: str) -> str:
        return self._canonical.get(normalize(word), normalize(word))
