from app.web.health import bp

__all__ = ["bp"]
