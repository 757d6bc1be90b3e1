"""The local OddsPapi v5 server (``wagerkit sim oddspapi``): REST (:mod:`.rest`) and the live
stream (:mod:`.ws`), on one world (:mod:`.world`).

Its world is the ABP simulator's default scenario (same fixtures, outcome ids, bookmakers,
prices and limits) plus what only OddsPapi has (keys and their plans, the market catalogue,
Pinnacle ids, per-bookmaker state, recorded ticks), so "discover on OddsPapi, trade on ABP" runs
end to end on one machine.
"""
