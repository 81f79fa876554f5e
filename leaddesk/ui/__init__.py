"""The PySide6 desktop GUI: main window, views, Qt models over services, background operations.

Importing the package applies the binding workarounds of ``qtcompat`` before any signal fires.
"""

from leaddesk.ui import qtcompat as _qtcompat

_qtcompat.pin_singletons()
