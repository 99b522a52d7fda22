"""Who is acting and what they cover: the `Actor` and the scope rules built on it.

`Actor` (actor.py) is resolved once per request (`actor_of(request)`) or task
(`Actor.for_user(user)`, `Actor.system(name)`) and passed to services in place of the
user and the request. `scope.py` answers "may this actor, in these roles, act here" for
every app's permissions module. The path rule itself is `pingan.geo.scope`.
"""
