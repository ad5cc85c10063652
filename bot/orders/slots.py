"""Delivery slots from the shop's hours: two-hour windows between opening and closing, in the
shop's time zone, starting no sooner than the lead time a shopkeeper needs to pack."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.orders.errors import InvalidSlot
from bot.settings import Settings, get_settings
from bot.shops import ShopTerms

SLOT_ID_FORMAT = "%Y-%m-%dT%H:%M"


@dataclass(frozen=True, slots=True)
class DeliverySlot:
    id: str  # local start time, "2026-11-25T18:00"
    label: str  # "Today 6–8 pm"
    start: datetime  # aware, shop time zone
    end: datetime
    label_hi: str = ""  # "आज शाम 6–8 बजे"
    label_hinglish: str = ""  # "Aaj 6–8 pm"

    def label_in(self, language: str) -> str:
        return {"hi": self.label_hi, "hinglish": self.label_hinglish}.get(language) or self.label


def _hour(h: int) -> tuple[str, str]:
    h %= 24
    return str(h % 12 or 12), "am" if h < 12 else "pm"


def _window(start: datetime, end: datetime) -> str:
    (a, am), (b, bm) = _hour(start.hour), _hour(end.hour)
    return f"{a}–{b} {bm}" if am == bm else f"{a} {am}–{b} {bm}"


def _day(day: date, today: date) -> str:
    if day == today:
        return "Today"
    if day == today + timedelta(days=1):
        return "Tomorrow"
    return f"{day:%a} {day.day} {day:%b}"


_HINDI_MONTHS = [
    "जनवरी",
    "फ़रवरी",
    "मार्च",
    "अप्रैल",
    "मई",
    "जून",
    "जुलाई",
    "अगस्त",
    "सितंबर",
    "अक्टूबर",
    "नवंबर",
    "दिसंबर",
]


def _day_hi(day: date, today: date) -> str:
    if day == today:
        return "आज"
    if day == today + timedelta(days=1):
        return "कल"
    return f"{day.day} {_HINDI_MONTHS[day.month - 1]}"


def _day_hinglish(day: date, today: date) -> str:
    if day == today:
        return "Aaj"
    if day == today + timedelta(days=1):
        return "Kal"
    return f"{day.day} {day:%b}"


def _window_hi(start: datetime, end: datetime) -> str:
    part = (
        "सुबह"
        if start.hour < 12
        else "दोपहर"
        if start.hour < 16
        else "शाम"
        if start.hour < 19
        else "रात"
    )
    return f"{part} {start.hour % 12 or 12}–{end.hour % 12 or 12} बजे"


def _candidates(now: datetime, s: Settings, terms: ShopTerms | None) -> Iterator[DeliverySlot]:
    opens, closes = (
        (terms.opens_at_hour, terms.closes_at_hour)
        if terms
        else (s.shop_open_hour, s.shop_close_hour)
    )
    tz = ZoneInfo(s.shop_timezone)
    local = now.astimezone(tz)
    earliest = local + timedelta(minutes=s.slot_lead_minutes)
    for offset in range(s.slot_days_ahead + 1):
        day = local.date() + timedelta(days=offset)
        hour = opens
        while hour + s.slot_hours <= closes:
            start = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
            end = start + timedelta(hours=s.slot_hours)
            if start >= earliest:
                today = local.date()
                yield DeliverySlot(
                    start.strftime(SLOT_ID_FORMAT),
                    f"{_day(day, today)} {_window(start, end)}",
                    start,
                    end,
                    f"{_day_hi(day, today)} {_window_hi(start, end)}",
                    f"{_day_hinglish(day, today)} {_window(start, end)}",
                )
            hour += s.slot_hours


def next_slots(
    now: datetime | None = None,
    count: int = 4,
    settings: Settings | None = None,
    terms: ShopTerms | None = None,
) -> list[DeliverySlot]:
    """The next `count` slots a shopper can still choose, within the shop's hours (`terms`;
    default: the platform's)."""
    now = now or datetime.now(UTC)
    out: list[DeliverySlot] = []
    for slot in _candidates(now, settings or get_settings(), terms):
        out.append(slot)
        if len(out) == count:
            break
    return out


def check_slot(
    slot_id: str,
    now: datetime | None = None,
    settings: Settings | None = None,
    terms: ShopTerms | None = None,
) -> DeliverySlot:
    """The slot with this id if a shopper may still book it, else `InvalidSlot`."""
    for slot in _candidates(now or datetime.now(UTC), settings or get_settings(), terms):
        if slot.id == slot_id:
            return slot
    raise InvalidSlot(f"{slot_id!r} is not a delivery slot that can still be booked", slot=slot_id)


def slot_label(slot_id: str, language: str = "en") -> str:
    """A chosen slot's label in the shopper's language; past slots are read from their id."""
    for slot in next_slots(count=200):
        if slot.id == slot_id:
            return slot.label_in(language)
    try:
        start = datetime.strptime(slot_id, SLOT_ID_FORMAT)
    except ValueError:
        return slot_id
    return f"{start.day} {start:%b} {_window(start, start + timedelta(hours=get_settings().slot_hours))}"
