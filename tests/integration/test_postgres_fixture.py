import pytest
import sqlalchemy as sa


@pytest.mark.postgres
def test_throwaway_postgres_answers(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("select 1")).scalar_one() == 1
            version = conn.execute(sa.text("show server_version_num")).scalar_one()
            assert int(version) // 10000 == 15
    finally:
        engine.dispose()
