"""The process's search backend and text pipeline, chosen by the settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from matching.embedded import EmbeddedBackend
from matching.meili import MeilisearchBackend
from matching.search import SearchBackend
from matching.text import TextPipeline, normalize
from portal.reference.vocab import SEED_DIR, get_vocabularies
from portal.search.documents import INDEX_NAMES, INDEX_SETTINGS, EntityType
from portal.settings import Settings, get_settings

TEXT_DIR = SEED_DIR / "text"


@lru_cache
def get_pipeline() -> TextPipeline:
    return TextPipeline.from_directory(TEXT_DIR, english=vocabulary_english())


# Vocabularies whose English names a search in English may use (Ceramics, Remote control).
ENGLISH_VOCABULARIES = ("industry", "scenario", "capability", "platform_capability", "city")


def vocabulary_english() -> dict[str, list[str]]:
    """Each English name of these vocabularies → its Chinese name, for the pipeline's query
    expansion (seed/text/english.txt holds the other domain words)."""
    vocab = get_vocabularies()
    english: dict[str, list[str]] = {}
    for vocabulary in ENGLISH_VOCABULARIES:
        for term in vocab.terms[vocabulary].values():
            if term.name_en:
                english.setdefault(term.name_en, []).append(term.name_zh)
    return english


@dataclass
class SearchGateway:
    backend: SearchBackend
    pipeline: TextPipeline

    def index(self, entity: EntityType) -> str:
        return INDEX_NAMES[entity]

    def ensure_indexes(self) -> list[EntityType]:
        """Create missing indexes; the entities whose index was (re)created empty."""
        return [
            entity
            for entity, settings in INDEX_SETTINGS.items()
            if self.backend.ensure_index(INDEX_NAMES[entity], settings)
        ]


def make_backend(settings: Settings, *, index_dir: Path | None = None) -> SearchBackend:
    prefix = settings.portal_env
    if settings.meili_url:
        pipeline = get_pipeline()
        synonyms: dict[str, list[str]] = {}
        for group in pipeline.synonyms:
            for word in group:
                synonyms[word] = [w for w in group if w != word]
        # Meilisearch cuts text again with its own dictionary: keep the domain words and
        # every synonym whole (天车, 远控, 网络切片), as the pipeline does.
        dictionary = {normalize(w) for w in [*pipeline.dictionary, *synonyms]}
        return MeilisearchBackend(
            settings.meili_url,
            settings.meili_api_key,
            prefix=prefix,
            synonyms=synonyms,
            stop_words=sorted(pipeline.stopwords),
            dictionary=sorted(dictionary),
        )
    return EmbeddedBackend(index_dir or settings.index_dir, prefix=prefix)


@lru_cache
def get_gateway() -> SearchGateway:
    return SearchGateway(backend=make_backend(get_settings()), pipeline=get_pipeline())
