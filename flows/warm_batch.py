"""Preloaded by the parse pool's forkserver: the workers it forks start with the parsing code
imported and pandera's validators built (`flows.batch.warm_up`)."""

from flows.batch import warm_up

warm_up()
