using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Municipality.Registry;
using Renkei.TestSupport;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Tests;

public class NumberAssignmentJobTests
{
    private static ResidentRegister RegisterWith(TestDatabase db, int residents)
    {
        var register = new ResidentRegister(db.Database, TestData.Shinagawa);
        new RegisterImporter(register).Import(TestData.Records(residents));
        return register;
    }

    /// <summary>Every current resident has exactly one number, the one J-LIS derives, all distinct, each once in the history.</summary>
    private static void AssertEveryoneNumberedOnce(ResidentRegister register, int residents)
    {
        using var connection = register.Database.Open();
        Assert.Equal(0, connection.Command("SELECT COUNT(*) FROM residents r WHERE r.status = 0 AND NOT EXISTS (SELECT 1 FROM resident_numbers n WHERE n.resident_id = r.id)").ScalarInt64());
        Assert.Equal(residents, connection.Command("SELECT COUNT(DISTINCT individual_number) FROM resident_numbers WHERE valid_to IS NULL").ScalarInt64());
        Assert.Equal(residents, connection.Command("SELECT COUNT(*) FROM resident_numbers").ScalarInt64());
        Assert.Equal(residents, connection.Command("SELECT COUNT(DISTINCT resident_id) FROM resident_numbers").ScalarInt64());
        using var command = connection.Command("SELECT r.resident_code, n.individual_number FROM residents r JOIN resident_numbers n ON n.resident_id = r.id");
        using var reader = command.ExecuteReader();
        while (reader.Read())
            Assert.Equal(FakeJlis.NumberFor(ResidentCode.FromInt64(reader.GetInt64(0))).ToInt64(), reader.GetInt64(1));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Assigns_numbers_in_batches_and_reports_progress(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var register = RegisterWith(db, 250);
        var jlis = new FakeJlis();
        var progress = new List<NumberAssignmentProgress>();

        var report = await new NumberAssignmentJob(register, jlis, new NumberAssignmentOptions(BatchSize: 100))
            .RunAsync(new SyncProgress<NumberAssignmentProgress>(progress.Add));

        Assert.Equal(3, report.Batches);
        Assert.Equal(250, report.Assigned);
        Assert.Equal(0, report.UnassignedCount);
        Assert.Equal(3, jlis.BatchCalls);
        Assert.Equal(new[] { 0, 1, 2, 3 }, progress.Select(p => p.BatchesDone));
        Assert.All(progress, p => Assert.Equal(3, p.BatchesTotal));
        Assert.Equal(new long[] { 0, 100, 200, 250 }, progress.Select(p => p.ResidentsAssigned));
        AssertEveryoneNumberedOnce(register, 250);
        var anyone = register.FindByCode(TestData.Code(5))!;
        Assert.Equal(NumberReasons.InitialAssignment, Assert.Single(register.NumberHistory(anyone.Id)).Reason);

        // A second run finds nothing to do.
        var rerun = await new NumberAssignmentJob(register, jlis, new NumberAssignmentOptions(BatchSize: 100)).RunAsync();
        Assert.Equal(0, rerun.Batches);
        Assert.Equal(3, jlis.BatchCalls);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Reconciles_both_sides_only_in_file_and_only_in_extract(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var register = RegisterWith(db, 40);
        var jlis = new FakeJlis();
        var refused = TestData.Code(3);
        var lateOnce = TestData.Code(7);
        var leaver = register.FindByCode(TestData.Code(11))!;
        var stranger = TestData.Code(5_000);                  // not on this register at all
        jlis.RefuseCodes[refused.ToInt64()] = "住民票コードが無効です";
        jlis.OmitCodes[lateOnce.ToInt64()] = 1;               // J-LIS's first file leaves it out
        jlis.ExtraCodes.Add(stranger);
        // The leaver moves out after the extract was taken, while J-LIS works on the batch.
        var events = new RegisterEvents(register, jlis);
        jlis.BeforeBatch = call =>
        {
            if (call == 1) events.DepartureAsync(new DepartureRequest(Guid.NewGuid(), leaver.Id, new DateOnly(2015, 10, 1), "大阪府大阪市")).GetAwaiter().GetResult();
        };

        var report = await new NumberAssignmentJob(register, jlis, new NumberAssignmentOptions(BatchSize: 50, MaxAttempts: 3)).RunAsync();

        // Both sides → designated; the late one got its number on the second request.
        Assert.Equal(38, report.Assigned);
        Assert.Equal(FakeJlis.NumberFor(lateOnce).ToInt64(), register.FindByCode(lateOnce)!.IndividualNumber!.Value.ToInt64());
        // Only in J-LIS's file (the stranger, and the leaver who is no longer a resident) → deleted, recorded as discarded.
        Assert.Equal(2, report.Discarded);
        Assert.Null(register.FindByCode(stranger));
        Assert.Null(register.Find(leaver.Id)!.IndividualNumber);
        using (var connection = register.Database.Open())
        {
            Assert.Equal(2, connection.Command("SELECT COUNT(*) FROM assignment_discards").ScalarInt64());
            Assert.Equal(0, connection.Command("SELECT COUNT(*) FROM resident_numbers WHERE individual_number = @n")
                .With("@n", FakeJlis.NumberFor(stranger).ToInt64()).ScalarInt64());
        }
        // Only in the extract → requested again, at most three times; the refused one is reported with J-LIS's reason.
        Assert.Equal(1, report.UnassignedCount);
        var unassigned = Assert.Single(report.Unassigned);
        Assert.Equal(register.FindByCode(refused)!.Id, unassigned.ResidentId);
        Assert.Equal(3, unassigned.Attempts);
        Assert.Equal("住民票コードが無効です", unassigned.Reason);
        Assert.Equal(3, jlis.BatchCalls); // the first batch, then two smaller ones for the codes to request again
    }

    public enum Interruption { BeforeJlisProcesses, AnswerLost, DuringApply, Cancelled }

    public static TheoryData<string, Interruption> Interruptions()
    {
        var data = new TheoryData<string, Interruption>();
        foreach (var provider in new[] { "sqlite", "postgres" })
            foreach (var interruption in Enum.GetValues<Interruption>())
                data.Add(provider, interruption);
        return data;
    }

    [Theory]
    [MemberData(nameof(Interruptions))]
    public async Task A_killed_job_resumes_without_duplicates_or_gaps(string provider, Interruption interruption)
    {
        using var db = TestDatabase.Create(provider);
        const int residents = 230;
        var register = RegisterWith(db, residents);
        var jlis = new FakeJlis();
        using var cancel = new CancellationTokenSource();
        var job = new NumberAssignmentJob(register, jlis, new NumberAssignmentOptions(BatchSize: 50));
        switch (interruption)
        {
            case Interruption.BeforeJlisProcesses:
                jlis.BeforeBatch = call => { if (call == 3) throw new HttpRequestException("connection refused"); };
                break;
            case Interruption.AnswerLost:
                jlis.AfterBatch = call => { if (call == 3) throw new HttpRequestException("connection reset"); };
                break;
            case Interruption.DuringApply:
                var applies = 0;
                job.BeforeApplyCommit = _ => { if (++applies == 3) throw new IOException("process killed"); };
                break;
            case Interruption.Cancelled:
                jlis.BeforeBatch = call => { if (call == 3) cancel.Cancel(); };
                jlis.AfterBatch = _ => cancel.Token.ThrowIfCancellationRequested();
                break;
        }

        await Assert.ThrowsAnyAsync<Exception>(() => job.RunAsync(cancellationToken: cancel.Token));
        var interruptedBatch = jlis.BatchIdsSeen[2];
        var afterFirstRun = register.Counts().ResidentsWithoutNumber;
        Assert.Equal(residents - 100, afterFirstRun); // two batches were applied, the third was not

        jlis.BeforeBatch = null;
        jlis.AfterBatch = null;
        var report = await new NumberAssignmentJob(register, jlis, new NumberAssignmentOptions(BatchSize: 50)).RunAsync();

        Assert.Equal(1, report.ResentBatches);
        Assert.Equal(interruptedBatch, jlis.BatchIdsSeen[3]); // re-sent with its original id first
        Assert.Equal(3, report.Batches);
        Assert.Equal(residents - 100, report.Assigned);
        Assert.Equal(0, report.Discarded);
        AssertEveryoneNumberedOnce(register, residents);
    }
}
