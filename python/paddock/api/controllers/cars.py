"""Car configs: ``GET /api/cars``, ``GET /api/cars/{id}`` and Pitwall's ``GET /cars``.

Lists the shipped car configs and the user's own (``<data_dir>/cars/*.yaml``, which win over a
shipped one with the same id), the loaded one (``--car`` / ``PADDOCK_CAR``) flagged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Controller, get
from litestar.datastructures import State
from litestar.params import FromPath

from paddock.can.cars import SHIPPED_CARS_DIR, CarConfigError, load_car, scan_cars, user_cars_dir
from paddock.config import Settings
from paddock.exceptions import NotFound


def _settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def loaded_id(settings: Settings) -> str | None:
    """Id of the loaded car (``--car`` gives an id or a ``.yaml`` path)."""
    car = settings.car
    if car and ("/" in car or car.endswith((".yaml", ".yml"))):
        return Path(car).stem
    return car


def car_list(settings: Settings) -> dict[str, Any]:
    """Every car config in the seed's shape, the loaded one flagged; broken files in ``errors``."""
    scan = scan_cars(settings.data_dir)
    loaded = loaded_id(settings)
    return {
        "cars": [car.summary(loaded=car.id == loaded) for car in scan.cars],
        "loaded_id": loaded,
        "cars_dir": str(user_cars_dir(settings.data_dir)),
        "shipped_dir": str(SHIPPED_CARS_DIR),
        "errors": [str(e) for e in scan.errors],
    }


class CarsController(Controller):
    """``/api/cars``: the car configs."""

    path = "/api/cars"
    tags = ["cars"]

    @get("/", sync_to_thread=True)
    def list_cars(self, state: State) -> dict[str, Any]:
        """Every car: identity, logger, bus and channel inventory; the loaded one flagged."""
        return car_list(_settings(state))

    @get("/{car_id:str}", sync_to_thread=True)
    def get_car(self, state: State, car_id: FromPath[str]) -> dict[str, Any]:
        """One car with its frames and each channel's units and conversion; 404 if unknown."""
        settings = _settings(state)
        if "/" in car_id or car_id.endswith((".yaml", ".yml")):
            raise NotFound(f"no car config {car_id!r}")
        try:
            car = load_car(car_id, settings.data_dir)
        except CarConfigError as exc:
            if str(exc).startswith(f"no car config {car_id!r}"):
                raise NotFound(str(exc)) from None
            raise
        return car.detail(loaded=car.id == loaded_id(settings))


class PitwallCars(Controller):
    """Pitwall's ``/cars``."""

    path = "/"
    tags = ["pitwall"]

    @get("/cars", sync_to_thread=True)
    def cars(self, state: State) -> dict[str, Any]:
        """Every car config, as ``GET /api/cars``."""
        return car_list(_settings(state))


CAR_ROUTES = [CarsController, PitwallCars]
