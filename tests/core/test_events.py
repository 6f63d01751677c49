"""EventTable.new_event: the scalar draws' events, with the ids reserve() gives."""

from stochad.core.events import Event, EventTable


def test_new_event_takes_the_next_id_and_grows_the_table_like_reserve():
    table, reference = EventTable(capacity=4), EventTable(capacity=4)
    for k in range(40):  # through several growths
        weight = 0.5 + k
        event = table.new_event(weight)
        expected = reference.reserve(1)
        assert (event.id, event._slot, event.table) == (expected, expected, table)
        assert table.objects[event.id] is event and isinstance(event, Event)
        assert event.weight == weight and event.alive
        assert table.count == reference.count and len(table.weights) == len(reference.weights)
    assert table.weights[table.count] == 0.0  # the scratch slot stays free
    assert table.event(3) is table.objects[3]
