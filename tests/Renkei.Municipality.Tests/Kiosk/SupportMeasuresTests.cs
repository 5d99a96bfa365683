using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Tests.Service;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Kiosk;

/// <summary>支援措置 in the register: one open measure per resident, days within bounds, released once, kept after release.</summary>
public sealed class SupportMeasuresTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_resident_is_placed_under_one_measure_at_a_time_released_within_bounds_and_the_history_is_kept(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var (register, head, wife, _, lone) = await CertificateAndNotificationTests.PopulateAsync(db);
        var clock = new ManualClock(new DateTimeOffset(2025, 6, 2, 23, 30, 0, TimeSpan.Zero)); // 6/3 08:30 in Japan
        var measures = new SupportMeasures(db.Database, clock);

        Assert.False(measures.IsUnderMeasure(wife));
        var placed = measures.Place(wife, SupportMeasureKind.Stalking, null, "jumin01");
        Assert.Equal((wife, SupportMeasureKind.Stalking, new DateOnly(2025, 6, 3), "jumin01", true), (placed.ResidentId, placed.Kind, placed.From, placed.RecordedBy, placed.Open));
        Assert.True(measures.IsUnderMeasure(wife));
        Assert.False(measures.IsUnderMeasure(head));
        Assert.Equal(SupportMeasures.AlreadyUnderMeasure, Assert.Throws<RegisterException>(() => measures.Place(wife, SupportMeasureKind.Other, null, "jumin02")).Code);

        // Days: not in the future, not more than a year back; a release not before the first day.
        Assert.Equal(SupportMeasures.BadDate, Assert.Throws<RegisterException>(() => measures.Place(head, SupportMeasureKind.ChildAbuse, new DateOnly(2025, 6, 4), "j")).Code);
        Assert.Equal(SupportMeasures.BadDate, Assert.Throws<RegisterException>(() => measures.Place(head, SupportMeasureKind.ChildAbuse, new DateOnly(2024, 6, 2), "j")).Code);
        Assert.Equal(SupportMeasures.BadDate, Assert.Throws<RegisterException>(() => measures.Release(wife, new DateOnly(2025, 6, 2), "j")).Code);
        Assert.True(measures.IsUnderMeasure(wife));
        Assert.Equal(SupportMeasures.NoOpenMeasure, Assert.Throws<RegisterException>(() => measures.Release(head, null, "j")).Code);
        Assert.Equal("unknown-resident", Assert.Throws<RegisterException>(() => measures.Place(999_999, SupportMeasureKind.Other, null, "j")).Code);

        var released = measures.Release(wife, null, "jumin02");
        Assert.Equal((new DateOnly(2025, 6, 3), "jumin02", false), (released.ReleasedOn!.Value, released.ReleasedBy, released.Open));
        var again = measures.Place(wife, SupportMeasureKind.DomesticViolence, new DateOnly(2025, 6, 3), "jumin01");
        Assert.Equal([again.Id, placed.Id], measures.History(wife).Select(m => m.Id));

        // Only a current resident is placed under a measure.
        await new RegisterEvents(register, new FakeJlis()).DepartureAsync(new DepartureRequest(Guid.NewGuid(), lone, new DateOnly(2025, 5, 31), "大阪府大阪市北区"));
        Assert.Equal(SupportMeasures.NotResident, Assert.Throws<RegisterException>(() => measures.Place(lone, SupportMeasureKind.Other, null, "j")).Code);
    }
}
