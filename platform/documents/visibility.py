from core import visibility
from documents.models import Document, Folder
from documents.selectors import documents_visible_to, folders_visible_to

visibility.register(
    Document, selector=documents_visible_to, space_of=lambda d: d.space, feature="documents"
)
visibility.register(
    Folder, selector=folders_visible_to, space_of=lambda f: f.space, feature="documents"
)
