"""From a shopper's message to resolved cart lines: the one code path behind `chatcart parse`
and the add-to-cart action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.catalog.index import CatalogIndex, keys
from bot.catalog.model import CatalogProduct
from bot.catalog.resolver import Resolution, Resolver, Scored
from bot.catalog.unsold import Unsold
from bot.parsing.parser import ItemLine, MessageParser
from bot.settings import get_settings
from bot.text.language import Language, detect_language


@dataclass(frozen=True, slots=True)
class ParsedLine:
    line: ItemLine
    resolution: Resolution
    unsold: bool = False  # something the shop does not sell ("1 kg chicken"): said so, no guess

    @property
    def quantity(self) -> float | int | None:
        q = self.line.quantity
        if q is None:
            return None
        return int(q.amount) if float(q.amount).is_integer() else q.amount

    @property
    def unit(self) -> str | None:
        q = self.line.quantity
        if q is None:
            return None
        return q.unit or self.resolution.unit or "pack"

    def as_dict(self) -> dict[str, Any]:
        r = self.resolution
        return {
            "text": self.line.text,
            "item": self.line.item,
            "quantity": self.quantity,
            "unit": self.unit,
            "status": r.status,
            "product": r.product.as_dict() if r.product else None,
            "packs": [{"sku": p.sku, "count": c} for p, c in r.packs],
            "confidence": r.confidence,
            "alternatives": [a.as_dict() for a in r.alternatives],
        }


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    text: str
    language: Language
    lines: tuple[ParsedLine, ...]
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "language": self.language,
            "lines": [line.as_dict() for line in self.lines],
        }
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


class ItemEngine:
    def __init__(
        self, products: list[CatalogProduct], category_names: dict[str, str] | None = None
    ):
        settings = get_settings()
        self.index = CatalogIndex(products, category_names)
        self.parser = MessageParser(self.index.protected_phrases)
        self.resolver = Resolver(self.index, settings.match_threshold, settings.ambiguity_margin)
        self.unsold = Unsold(self.index)
        self.max_chars = settings.max_message_chars
        self.max_lines = settings.max_lines_per_message

    def parse(self, text: str, *, wanted: bool = True) -> ParsedMessage:
        warnings: list[str] = []
        if not isinstance(text, str):
            text = bytes(text).decode("utf-8", errors="replace")
        body = text
        if len(body) > self.max_chars:
            body = body[: self.max_chars]
            warnings.append(
                f"message longer than {self.max_chars} characters: the rest was ignored"
            )
        # Rankings by query keys, for this message only: "eggs" twice, or a tail that
        # `_join_tails` has already ranked, is scored once.
        memo: dict[tuple[str, ...], list[Scored]] = {}
        lines = self._join_tails(self.parser.parse(body, wanted=wanted), memo)
        if len(lines) > self.max_lines:
            lines = lines[: self.max_lines]
            warnings.append(
                f"more than {self.max_lines} items: only the first {self.max_lines} were read"
            )
        parsed = []
        for line in lines:
            q = line.quantity
            resolution = (
                self.resolver.resolve(
                    line.item,
                    q.amount if q else None,
                    q.unit if q else None,
                    ranked=self._rank(line.item, memo),
                    size=line.size,
                    pack_size=line.pack_size,
                    price_paise=line.price_paise,
                )
                if line.item
                else Resolution("unmatched", 0.0)
            )
            sku = resolution.product.sku if resolution.product else None
            if line.item and self.unsold.names(line.item, sku):
                parsed.append(ParsedLine(line, Resolution("unmatched", 0.0), unsold=True))
                continue
            parsed.append(ParsedLine(line, resolution))
        return ParsedMessage(text, detect_language(body), tuple(parsed), tuple(warnings))

    def _rank(self, item: str, memo: dict[tuple[str, ...], list[Scored]]) -> list[Scored]:
        qkeys = keys(item)
        ranked = memo.get(qkeys)
        if ranked is None:
            ranked = memo[qkeys] = self.resolver.rank_keys(qkeys, prune=True)
        return ranked

    def _join_tails(
        self, lines: list[ItemLine], memo: dict[tuple[str, ...], list[Scored]]
    ) -> list[ItemLine]:
        """ "tea 500 g red label" is one item, "atta 2 kg milk" two: join a quantity-less tail
        to the line before when one product explains both together."""
        out: list[ItemLine] = []
        for line in lines:
            prev = out[-1] if out else None
            if line.tail and line.quantity is None and prev is not None and prev.item:
                joined = f"{prev.item} {line.item}"
                if self.resolver.explains(joined, self._rank(joined, memo)):
                    out[-1] = ItemLine(
                        f"{prev.text} {line.text}",
                        joined,
                        prev.quantity,
                        size=prev.size or line.size,
                        price_paise=prev.price_paise or line.price_paise,
                    )
                    continue
            out.append(line)
        return out
