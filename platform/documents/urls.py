from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("folders/new/", views.folder_create, name="folder_create"),
    path("folders/<int:folder>/", views.folder_detail, name="folder"),
    path("folders/<int:folder>/delete/", views.folder_delete, name="folder_delete"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/versions/", views.version_add, name="version_add"),
    path("<int:pk>/delete/", views.document_delete, name="delete"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/download/<int:number>/", views.download, name="download_version"),
]
