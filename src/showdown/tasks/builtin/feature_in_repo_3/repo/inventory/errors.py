"""The errors the inventory service raises; the command line reports any InventoryError."""


class InventoryError(Exception):
    """Something the service refuses to do."""


class NotFound(InventoryError):
    """No item with that SKU."""


class DuplicateItem(InventoryError):
    """An item with that SKU already exists."""


class InvalidQuantity(InventoryError):
    """A quantity that is not a positive whole number."""


class InvalidItem(InventoryError):
    """A SKU or a name that is not acceptable."""


class InsufficientStock(InventoryError):
    """Shipping more than there is in stock."""
