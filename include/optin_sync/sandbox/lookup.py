"""An index of the stored WoowUp customers by identifier and by id, so lookups stay fast for a million customers.

`find` returns what `customers.find_by_identifiers` returns for the same data, without scanning every customer.
`sorted_ids` serves `GET /users` pages without sorting every id again for each page.
"""

from __future__ import annotations

from typing import Any

from optin_sync.sandbox.customers import IDENTIFIERS

# One id, or a list of ids when several customers share a value.
_Ids = int | list[int]


class CustomerLookup:
    """Identifier values and sorted ids of one customers dict, built on first use and kept current by `store`.

    Args:
        customers: the sandbox's customers by ``userapp_id``. Handlers change identifiers only through `store`.
            An identifier value or a customer set in this dict directly (as tests do for channel fields) is
            seen only after `rebuild`.
    """

    def __init__(self, customers: dict[int, dict[str, Any]]) -> None:
        self.customers = customers
        self._by_value: dict[str, dict[str, _Ids]] | None = None
        self._sorted_ids: list[int] | None = None

    def find(self, values: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
        """Return the first customer whose identifier equals a given one exactly, searching in IDENTIFIERS order.

        Among several customers with the same value, the lowest userapp_id wins.
        """
        by_value = self._index()
        for key in IDENTIFIERS:
            identifier = values.get(key)
            if not isinstance(identifier, str) or identifier == "":
                continue
            ids = by_value[key].get(identifier)
            if ids is None:
                continue
            # A stale entry (a customer removed or changed outside `store`) must never be returned.
            matches = [userapp_id for userapp_id in (ids if isinstance(ids, list) else [ids])
                       if self.customers.get(userapp_id, {}).get(key) == identifier]
            if matches:
                return self.customers[min(matches)], key
        return None, None

    def sorted_ids(self) -> list[int]:
        """Return every userapp_id in ascending order."""
        if self._sorted_ids is None or len(self._sorted_ids) != len(self.customers):
            self._sorted_ids = sorted(self.customers)
        return self._sorted_ids

    def store(self, customer: dict[str, Any]) -> None:
        """Store ``customer`` under its userapp_id, replacing any customer stored there, and index it."""
        userapp_id = customer["userapp_id"]
        previous = self.customers.get(userapp_id)
        self.customers[userapp_id] = customer
        if previous is None:
            self._sorted_ids = None
        if self._by_value is None:
            return
        for key in IDENTIFIERS:
            if previous is not None:
                _remove(self._by_value[key], previous.get(key), userapp_id)
            _add(self._by_value[key], customer.get(key), userapp_id)

    def rebuild(self) -> None:
        """Forget the index; the next lookup builds it again from the customers dict."""
        self._by_value = None
        self._sorted_ids = None

    def _index(self) -> dict[str, dict[str, _Ids]]:
        if self._by_value is None:
            by_value: dict[str, dict[str, _Ids]] = {key: {} for key in IDENTIFIERS}
            for userapp_id, customer in self.customers.items():
                for key in IDENTIFIERS:
                    _add(by_value[key], customer.get(key), userapp_id)
            self._by_value = by_value
        return self._by_value


def _add(index: dict[str, _Ids], value: Any, userapp_id: int) -> None:
    # Only non-empty strings can equal an identifier of a request, so nothing else is indexed.
    if not isinstance(value, str) or value == "":
        return
    ids = index.get(value)
    if ids is None:
        index[value] = userapp_id
    elif isinstance(ids, list):
        if userapp_id not in ids:
            ids.append(userapp_id)
    elif ids != userapp_id:
        index[value] = [ids, userapp_id]


def _remove(index: dict[str, _Ids], value: Any, userapp_id: int) -> None:
    if not isinstance(value, str) or value == "":
        return
    ids = index.get(value)
    if ids == userapp_id:
        del index[value]
    elif isinstance(ids, list) and userapp_id in ids:
        ids.remove(userapp_id)
        if len(ids) == 1:
            index[value] = ids[0]
