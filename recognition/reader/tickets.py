"""A compact record of the ticket ids already accepted from one file, and the row of each."""
from array import array

_INITIAL_SLOTS = 1 << 12
_EMPTY = -1


class TicketRegister:
    """Exact map of ticket id -> first row, in about 40 bytes per ticket.

    A plain dict of str -> int costs about 120 MB for a 1,000,000-row file, too much of the
    import's memory budget; this open-addressing table keeps the ids as UTF-8 in one bytearray
    and the hashes, rows and id end offsets in typed arrays (about 1.5 s per million rows).
    """

    def __init__(self):
        self._slots = array("i", [_EMPTY]) * _INITIAL_SLOTS
        self._mask = _INITIAL_SLOTS - 1
        self._hashes = array("q")
        self._rows = array("i")
        self._ends = array("q")
        self._names = bytearray()

    def __len__(self):
        return len(self._rows)

    def record(self, ticket_id, row_number):
        """Remember `ticket_id` as seen on `row_number`; if seen before, return that row instead."""
        ticket_hash = hash(ticket_id)
        slots = self._slots
        mask = self._mask
        slot = ticket_hash & mask
        entry = slots[slot]
        while entry != _EMPTY:
            if self._hashes[entry] == ticket_hash and self._name(entry) == _encode(ticket_id):
                return self._rows[entry]
            slot = (slot + 1) & mask
            entry = slots[slot]
        entry = len(self._rows)
        slots[slot] = entry
        self._hashes.append(ticket_hash)
        self._rows.append(row_number)
        self._names += _encode(ticket_id)
        self._ends.append(len(self._names))
        # Keep the table at most half full so probe runs stay short.
        if entry * 2 >= len(slots):
            self._grow()
        return None

    def _name(self, entry):
        start = self._ends[entry - 1] if entry else 0
        return self._names[start:self._ends[entry]]

    def _grow(self):
        size = len(self._slots) * 2
        slots = array("i", [_EMPTY]) * size
        mask = size - 1
        for entry, ticket_hash in enumerate(self._hashes):
            slot = ticket_hash & mask
            while slots[slot] != _EMPTY:
                slot = (slot + 1) & mask
            slots[slot] = entry
        self._slots = slots
        self._mask = mask


def _encode(ticket_id):
    # surrogatepass: a lone surrogate cannot come from a decoded file, but must never crash here.
    return ticket_id.encode("utf-8", "surrogatepass")
