from django.urls import path

from cases import board, configuration

app_name = "cases"

urlpatterns = [
    path("board/", board.board, name="board"),
    path(
        "board/supervisions/<int:pk>/instruct/",
        board.supervision_instruct_view,
        name="supervision_instruct",
    ),
    path(
        "board/supervisions/<int:pk>/answer/",
        board.supervision_answer_view,
        name="supervision_answer",
    ),
    path(
        "settings/<str:code>/lights/",
        configuration.light_settings,
        name="light_settings",
    ),
]
