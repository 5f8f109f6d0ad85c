from django.urls import path

from comments import views

app_name = "comments"
urlpatterns = [
    path("new/", views.comment_create, name="create"),
    path("<int:pk>/reply/", views.comment_reply, name="reply"),
    path("<int:pk>/edit/", views.comment_edit, name="edit"),
    path("<int:pk>/delete/", views.comment_delete, name="delete"),
    path("<int:pk>/history/", views.comment_history, name="history"),
]
