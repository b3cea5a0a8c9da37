# TODO 2: tests of the item pages: the list, a visitor who is not logged in sent to the login page, a new
#         item that is still there in the next request, an item only its owner may change or delete, the
#         search (?q=) finding some items and not others.
