"""The case engine: what every case type (the event, and the kinds to come) declares, and
the machinery each gets from the declaration with no code of its own.

A case kind declares (docs/architecture.md, "Adding a case type"):

- its states and its transition table: `table.Workflow` rows, each naming the action (and
  a variant), the source states, the target state, who may fire it (role × scope), the
  required fields, the clock effect, the button style, whether it takes a public reply —
  and, registered beside the row by the same decorator, the action's effect, a typed
  function `(Step) -> Outcome`;
- a `kind.CaseKind`: the model, how an actor's membership covers a case for each scope,
  how a variant is chosen, how a timeline row is written.

It gets: the transition service (`service.transition`: row lock, legality, role, state,
scope, required fields, effect, clock, timeline row, audit row, signal after commit; 404 /
403 / 409 / 422 with nothing written on error), the buttons (`service.allowed`), the API
endpoint `POST /api/v1/<kind>/{id}/transitions`, deadlines on the working calendar or in
natural hours (`deadlines`), and its document (`manage.py workflow_doc KIND`).
"""
