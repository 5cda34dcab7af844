"""What several server processes of one database share through Redis: the socket.io rooms
(python-socketio's Redis manager), the changes each one announces, who is connected, the
coalesced pushes and the limit on new identities. One process needs none of it.
"""
