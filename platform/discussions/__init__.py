"""Discussion threads in spaces. A thread has a title and an opening post; the posts and
replies below it are comments (the shared comment component). Visible exactly when its space
is (spaces.selectors), and never when deleted; hidden threads only to moderators."""
