using System.Data.Common;
using Renkei.Infrastructure;

namespace Renkei.Municipality.Registry;

/// <summary>
/// The register's side of its feed to the intermediate server: every event (and every import batch) writes the households
/// it touched to <c>register_copy_outbox</c> in its own transaction, so a change cannot be committed without its copies
/// being due. <see cref="Business.WardCopyFeed"/> sends them.
/// </summary>
internal static class RegisterCopyOutbox
{
    public static void Enqueue(DbConnection connection, DbTransaction transaction, string householdNumber) =>
        connection.Command("INSERT INTO register_copy_outbox (household_number, enqueued_at) VALUES (@h, @at)", transaction)
            .With("@h", householdNumber).With("@at", ResidentRegister.Now()).ExecuteNonQuery();

    /// <summary>Every household of the register (residents and former residents): a full resend, e.g. the monthly job.</summary>
    public static long EnqueueAll(Database database) => database.InTransaction((connection, transaction) =>
        (long)connection.Command("""
            INSERT INTO register_copy_outbox (household_number, enqueued_at)
            SELECT DISTINCT household_number, @at FROM residents ORDER BY household_number
            """, transaction).With("@at", ResidentRegister.Now()).ExecuteNonQuery());
}
