from functools import cache, partial

from governance.navigation import menu_for
from governance.notifications import unread_count
from governance.selectors import user_roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {
        "nav_items": menu_for(user_roles(user=user)),
        # Called by the template only where the bell is drawn, at most once per response.
        "unread_notifications": cache(partial(unread_count, user=user)),
    }
