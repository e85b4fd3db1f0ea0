"""Where each conclusion holds: the robustness study of `govsim robust` (issue 10, item 7).

A Latin hypercube over every schema parameter the three canonical governance models use; on
each draw BUM, HOD and the model municipality run on the same seed with the same values of the
parameters they share (a parameter of one model's rules is set for that model only). For each
headline comparison (admin overhead, total cost, citizen satisfaction, employee wellbeing, sick
leave, for each pair of models) the study counts the draws in which the default result's
direction holds and describes where it reverses with PRIM (EMA Workbench). ``study`` plans and
runs it through the experiment engine; ``report`` writes docs/ROBUSTNESS.md; ``cli`` is the
command. ``policies`` is ``govsim robust EXPERIMENT.yaml``: a file's levers (policies) across a
Latin hypercube of its uncertainties, with regret, a minimax-regret ranking and PRIM on where the
chosen policy fails (issue 13, item 6; docs/robustness_policies.md).
"""
