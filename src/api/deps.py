"""Request-scoped dependencies: the container built by the lifespan."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from workflow.bootstrap import Container


def container(request: Request) -> Container:
    found: Container = request.app.state.container
    return found


ContainerDep = Annotated[Container, Depends(container)]
