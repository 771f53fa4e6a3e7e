def unread_notifications(request):
    """The unread count in the header: one indexed COUNT per page for a signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from qinqing.supervision.services import unread_count

    return {"unread_notifications": unread_count(user)}
