"""What templates show of the domains: vocabulary labels and listing statuses. Registered
with the kit's templates once at start-up (the kit itself imports no domain)."""

from __future__ import annotations

from matching import messages as matching_messages
from portal.introductions.marks import DISMISS_REASONS
from portal.kit.i18n import gettext
from portal.kit.templating import register as register_with_templates
from portal.listings.lifecycle import STATUS_LABELS
from portal.reference.vocab import get_vocabularies


def register() -> None:
    vocab = get_vocabularies()
    # The matching library's explanations follow the request's language (issue 18).
    matching_messages.use(gettext)
    register_with_templates(
        globals={
            "vocab": vocab,
            "status_labels": STATUS_LABELS,
            "dismiss_reasons": DISMISS_REASONS,
        },
        filters={
            "label": lambda code, vocabulary: vocab.label(vocabulary, code),
            "region": vocab.region_label,
        },
    )
