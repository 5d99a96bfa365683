using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Municipality.Addressee;
using Renkei.Network.Contracts;

namespace Renkei.Municipality.Applications;

/// <summary>
/// The applications in the ward's own database (tables <c>app_</c>): applications, the people concerned, the attachments
/// and what replaced them, and every linkage answer with its provenance. Persons by integrated addressee number only; no
/// individual number is ever stored here. Every change is one transaction.
/// </summary>
public sealed partial class ApplicationStore(Database database)
{
    public Database Database { get; } = database;

    /// <summary>Creates or upgrades the ward's tables (<see cref="MunicipalitySchema"/>), the application tables among them.</summary>
    public void EnsureSchema() => Migrations.Apply(Database, MunicipalitySchema.Tables);

    internal long Insert(WorkflowDefinition workflow, IntegratedAddresseeNumber applicant, IReadOnlyList<ApplicationMember> members,
        ApplicationParties parties, DateOnly receivedOn, string staff, DateTimeOffset at) =>
        Database.InTransaction((connection, transaction) => Insert(connection, transaction, workflow, applicant, members, parties, receivedOn, staff, at));

    /// <summary>
    /// A benefit certified once per recipient (児童手当): a new application while one of the same affair is being examined
    /// or was approved is refused with the earlier application's number, instead of a second one (a rejected one may be
    /// applied for again).
    /// </summary>
    private static void RefuseDuplicate(DbConnection connection, DbTransaction transaction, WorkflowDefinition workflow, IntegratedAddresseeNumber applicant)
    {
        using var command = connection.Command("SELECT id, status, decision FROM app_applications WHERE applicant = @p AND affair = @a ORDER BY id", transaction)
            .With("@p", applicant.ToInt64()).With("@a", workflow.Affair);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var id = reader.GetInt64(0).ToString(CultureInfo.InvariantCulture);
            if (reader.GetString(1) != Text(ApplicationStatus.Decided))
                throw new WorkflowException(WorkflowException.Codes.DuplicateApplication, $"同じ手続の申請（申請番号 {id}）を審査中です。新しい申請は受け付けられません");
            if (reader.NullableString(2) is { } decision
                && JsonSerializer.Deserialize<ApplicationDecision>(decision, JsonDefaults.Options)?.Outcome == DecisionOutcome.Approved)
                throw new WorkflowException(WorkflowException.Codes.DuplicateApplication, $"この手続は認定済みです（申請番号 {id}）。変更がある場合は更正または変更の届出をしてください");
        }
    }

    /// <summary>Inserts one application with its members and attachments inside the caller's transaction.</summary>
    private static long Insert(DbConnection connection, DbTransaction transaction, WorkflowDefinition workflow, IntegratedAddresseeNumber applicant,
        IReadOnlyList<ApplicationMember> members, ApplicationParties parties, DateOnly receivedOn, string staff, DateTimeOffset at)
    {
        if (workflow.OncePerApplicant) RefuseDuplicate(connection, transaction, workflow, applicant);
        using var insert = connection.Command(
            "INSERT INTO app_applications (workflow, affair, applicant, status, received_on, previous_municipality, january_first_municipality, "
            + "former_insurer, opened_by, opened_at) VALUES (@w, @a, @p, @s, @r, @pm, @jm, @fi, @by, @at) RETURNING id", transaction)
            .With("@w", workflow.Code).With("@a", workflow.Affair).With("@p", applicant.ToInt64()).With("@s", Text(ApplicationStatus.Open))
            .With("@r", Iso(receivedOn)).With("@pm", parties.PreviousMunicipality).With("@jm", parties.JanuaryFirstMunicipality)
            .With("@fi", parties.FormerInsurer).With("@by", staff).With("@at", Time(at));
        var id = insert.ScalarInt64();
        for (var i = 0; i < members.Count; i++)
            connection.Command("INSERT INTO app_members (application_id, position, addressee, role) VALUES (@id, @i, @a, @r)", transaction)
                .With("@id", id).With("@i", i).With("@a", members[i].Addressee.ToInt64()).With("@r", members[i].Role).ExecuteNonQuery();
        for (var i = 0; i < workflow.Attachments.Count; i++)
        {
            var a = workflow.Attachments[i];
            connection.Command("INSERT INTO app_attachments (application_id, position, code, name, replaced_by_step, state) VALUES (@id, @i, @c, @n, @s, @st)", transaction)
                .With("@id", id).With("@i", i).With("@c", a.Code).With("@n", a.Name).With("@s", a.ReplacedByStep).With("@st", Text(AttachmentState.Required))
                .ExecuteNonQuery();
        }
        return id;
    }

    /// <summary>Stores answers and the resulting attachment states and status, in one transaction.</summary>
    internal void AddResults(long applicationId, IReadOnlyList<LinkageAnswer> answers, IReadOnlyDictionary<string, AttachmentState> attachmentStates,
        ApplicationStatus status) =>
        Database.InTransaction((connection, transaction) =>
        {
            foreach (var r in answers)
                connection.Command(
                    "INSERT INTO app_linkage_results (application_id, step, subject, channel, provider, kind, outcome, refusal_code, message, as_of, copy_version, "
                    + "network_record_sequence, party_record_sequence, request_id, body, recorded_at, recorded_by) VALUES "
                    + "(@a, @s, @su, @c, @p, @k, @o, @rc, @m, @as, @v, @ns, @ps, @rq, @b, @at, @by)", transaction)
                    .With("@a", applicationId).With("@s", r.Step).With("@su", r.Subject.ToInt64()).With("@c", Text(r.Channel)).With("@p", r.Provider)
                    .With("@k", r.Kind).With("@o", Text(r.Outcome)).With("@rc", r.RefusalCode).With("@m", r.Message).With("@as", r.AsOf is { } d ? Iso(d) : null)
                    .With("@v", r.Version).With("@ns", r.NetworkRecordSequence).With("@ps", r.PartyRecordSequence).With("@rq", r.RequestId?.ToString("D"))
                    .With("@b", r.Body is { } body ? body.GetRawText() : null).With("@at", Time(r.RecordedAt)).With("@by", r.RecordedBy)
                    .ExecuteNonQuery();
            foreach (var (code, state) in attachmentStates)
                connection.Command("UPDATE app_attachments SET state = @st WHERE application_id = @a AND code = @c", transaction)
                    .With("@st", Text(state)).With("@a", applicationId).With("@c", code).ExecuteNonQuery();
            connection.Command("UPDATE app_applications SET status = @s WHERE id = @a AND status <> @d", transaction)
                .With("@s", Text(status)).With("@a", applicationId).With("@d", Text(ApplicationStatus.Decided)).ExecuteNonQuery();
        });

    /// <summary>Records the decision once: false when the application was decided already (by a concurrent request).</summary>
    internal bool Decide(long applicationId, ApplicationDecision decision, string staff) =>
        Database.InTransaction((connection, transaction) =>
            connection.Command("UPDATE app_applications SET status = @s, decision = @d, decided_by = @by, decided_on = @on, decided_with_linkage = @l "
                + "WHERE id = @a AND status <> @s", transaction)
                .With("@s", Text(ApplicationStatus.Decided)).With("@d", JsonSerializer.Serialize(decision, JsonDefaults.Options)).With("@by", staff)
                .With("@on", Iso(decision.DecidedOn)).With("@l", decision.WithLinkage ? 1 : 0).With("@a", applicationId).ExecuteNonQuery() == 1);

    /// <summary>
    /// Replaces the decision in force by <paramref name="corrected"/> (更正) and keeps the replaced one, as stored, in the
    /// history, in one transaction: false when the decision in force is no longer version <paramref name="currentVersion"/>
    /// (a concurrent correction).
    /// </summary>
    internal bool Correct(long applicationId, int currentVersion, ApplicationDecision corrected, string staff, DateTimeOffset at, string reason) =>
        Database.InTransaction((connection, transaction) =>
        {
            string stored, storedBy;
            using (var read = connection.Command("SELECT decision, decided_by FROM app_applications WHERE id = @a AND status = @s"
                       + (Database.Provider == DatabaseProvider.PostgreSql ? " FOR UPDATE" : ""), transaction)
                       .With("@a", applicationId).With("@s", Text(ApplicationStatus.Decided)))
            using (var reader = read.ExecuteReader())
            {
                if (!reader.Read() || reader.IsDBNull(0)) return false;
                (stored, storedBy) = (reader.GetString(0), reader.NullableString(1) ?? "");
            }
            if (JsonSerializer.Deserialize<ApplicationDecision>(stored, JsonDefaults.Options)!.Version != currentVersion) return false;
            connection.Command("UPDATE app_applications SET decision = @d, decided_by = @by, decided_on = @on, decided_with_linkage = @l WHERE id = @a", transaction)
                .With("@d", JsonSerializer.Serialize(corrected, JsonDefaults.Options)).With("@by", staff).With("@on", Iso(corrected.DecidedOn))
                .With("@l", corrected.WithLinkage ? 1 : 0).With("@a", applicationId).ExecuteNonQuery();
            connection.Command("INSERT INTO app_decision_history (application_id, version, decision, decided_by, superseded_at, superseded_by, reason) "
                    + "VALUES (@a, @v, @d, @by, @at, @sb, @r)", transaction)
                .With("@a", applicationId).With("@v", currentVersion).With("@d", stored).With("@by", storedBy).With("@at", Time(at))
                .With("@sb", staff).With("@r", reason).ExecuteNonQuery();
            return true;
        });

    /// <summary>The decisions corrections replaced, oldest first.</summary>
    public IReadOnlyList<SupersededDecision> DecisionHistory(long applicationId)
    {
        using var connection = Database.Open();
        using var command = connection.Command("SELECT decision, decided_by, superseded_at, superseded_by, reason FROM app_decision_history "
            + "WHERE application_id = @a ORDER BY version").With("@a", applicationId);
        using var reader = command.ExecuteReader();
        var list = new List<SupersededDecision>();
        while (reader.Read())
            list.Add(new SupersededDecision(JsonSerializer.Deserialize<ApplicationDecision>(reader.GetString(0), JsonDefaults.Options)!, reader.GetString(1),
                DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture), reader.GetString(3), reader.GetString(4)));
        return list;
    }

    public Application? Find(long id)
    {
        using var connection = Database.Open();
        return Read(connection, "WHERE id = @id", c => c.With("@id", id), 1).FirstOrDefault();
    }

    public IReadOnlyList<Application> List(ApplicationQuery query)
    {
        using var connection = Database.Open();
        var where = new List<string>();
        if (query.Workflow is not null) where.Add("workflow = @w");
        if (query.Status is not null) where.Add("status = @s");
        if (query.Applicant is not null) where.Add("applicant = @p");
        return Read(connection, where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where), c =>
        {
            if (query.Workflow is not null) c.With("@w", query.Workflow);
            if (query.Status is { } s) c.With("@s", Text(s));
            if (query.Applicant is { } p) c.With("@p", p.ToInt64());
        }, Math.Clamp(query.Limit, 1, 10_000));
    }

    private static List<Application> Read(DbConnection connection, string where, Action<DbCommand> bind, int limit)
    {
        using var command = connection.Command(
            "SELECT id, workflow, affair, applicant, status, received_on, previous_municipality, january_first_municipality, former_insurer, "
            + $"opened_by, opened_at, decision, decided_by FROM app_applications {where} ORDER BY id DESC LIMIT {limit.ToString(CultureInfo.InvariantCulture)}");
        bind(command);
        var heads = new List<Application>();
        using (var reader = command.ExecuteReader())
            while (reader.Read())
                heads.Add(new Application(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), IntegratedAddresseeNumber.FromInt64(reader.GetInt64(3)),
                    Parse<ApplicationStatus>(reader.GetString(4)), DateOnly.ParseExact(reader.GetString(5), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                    new ApplicationParties(reader.NullableString(6), reader.NullableString(7), reader.NullableString(8)), reader.GetString(9),
                    DateTimeOffset.Parse(reader.GetString(10), CultureInfo.InvariantCulture), [], [], [],
                    reader.NullableString(11) is { } d ? JsonSerializer.Deserialize<ApplicationDecision>(d, JsonDefaults.Options) : null, reader.NullableString(12)));
        return heads.Select(a => a with
        {
            Members = Members(connection, a.Id), Attachments = Attachments(connection, a.Id), Results = Results(connection, a.Id),
            Channel = IsEApplication(connection, a.Id) ? ApplicationChannel.EApplication : ApplicationChannel.Counter,
        }).ToList();
    }

    private static List<ApplicationMember> Members(DbConnection connection, long id)
    {
        using var command = connection.Command("SELECT addressee, role FROM app_members WHERE application_id = @id ORDER BY position").With("@id", id);
        using var reader = command.ExecuteReader();
        var list = new List<ApplicationMember>();
        while (reader.Read()) list.Add(new ApplicationMember(IntegratedAddresseeNumber.FromInt64(reader.GetInt64(0)), reader.GetString(1)));
        return list;
    }

    private static List<ApplicationAttachment> Attachments(DbConnection connection, long id)
    {
        using var command = connection.Command("SELECT code, name, replaced_by_step, state FROM app_attachments WHERE application_id = @id ORDER BY position").With("@id", id);
        using var reader = command.ExecuteReader();
        var list = new List<ApplicationAttachment>();
        while (reader.Read())
            list.Add(new ApplicationAttachment(reader.GetString(0), reader.GetString(1), reader.GetString(2), Parse<AttachmentState>(reader.GetString(3))));
        return list;
    }

    private static List<LinkageAnswer> Results(DbConnection connection, long id)
    {
        using var command = connection.Command(
            "SELECT id, step, subject, channel, provider, kind, outcome, refusal_code, message, as_of, copy_version, network_record_sequence, "
            + "party_record_sequence, request_id, body, recorded_at, recorded_by FROM app_linkage_results WHERE application_id = @id ORDER BY id").With("@id", id);
        using var reader = command.ExecuteReader();
        var list = new List<LinkageAnswer>();
        while (reader.Read())
            list.Add(new LinkageAnswer(reader.GetInt64(0), reader.GetString(1), IntegratedAddresseeNumber.FromInt64(reader.GetInt64(2)),
                Parse<LinkageChannel>(reader.GetString(3)), reader.NullableString(4), reader.GetString(5),
                Parse<LinkageOutcome>(reader.GetString(6)), reader.NullableString(7), reader.NullableString(8),
                reader.NullableString(9) is { } asOf ? DateOnly.ParseExact(asOf, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
                reader.NullableInt64(10), reader.NullableInt64(11), reader.NullableInt64(12),
                reader.NullableString(13) is { } rq ? Guid.Parse(rq) : null,
                reader.NullableString(14) is { } body ? JsonDocument.Parse(body).RootElement.Clone() : null,
                DateTimeOffset.Parse(reader.GetString(15), CultureInfo.InvariantCulture), reader.GetString(16)));
        return list;
    }

    /// <summary>Omitted and submitted attachments per affair and attachment (decided applications only).</summary>
    public IReadOnlyList<OmittedAttachmentCount> AttachmentCounts()
    {
        using var connection = Database.Open();
        using var command = connection.Command(
            "SELECT a.affair, t.code, MIN(t.name), SUM(CASE WHEN t.state = @o THEN 1 ELSE 0 END), SUM(CASE WHEN t.state = @s THEN 1 ELSE 0 END) "
            + "FROM app_attachments t JOIN app_applications a ON a.id = t.application_id WHERE a.status = @d GROUP BY a.affair, t.code ORDER BY a.affair, t.code")
            .With("@o", Text(AttachmentState.Omitted)).With("@s", Text(AttachmentState.Submitted)).With("@d", Text(ApplicationStatus.Decided));
        using var reader = command.ExecuteReader();
        var list = new List<OmittedAttachmentCount>();
        while (reader.Read())
            list.Add(new OmittedAttachmentCount(reader.GetString(0), reader.GetString(1), reader.GetString(2), Convert.ToInt64(reader.GetValue(3), CultureInfo.InvariantCulture),
                Convert.ToInt64(reader.GetValue(4), CultureInfo.InvariantCulture)));
        return list;
    }

    /// <summary>Per workflow: (decided, decided with linkage only, not yet decided).</summary>
    public IReadOnlyDictionary<string, (long Decided, long WithLinkage, long Open)> UsageCounts()
    {
        using var connection = Database.Open();
        using var command = connection.Command(
            "SELECT workflow, SUM(CASE WHEN status = @d THEN 1 ELSE 0 END), SUM(CASE WHEN status = @d AND decided_with_linkage = 1 THEN 1 ELSE 0 END), "
            + "SUM(CASE WHEN status <> @d THEN 1 ELSE 0 END) FROM app_applications GROUP BY workflow")
            .With("@d", Text(ApplicationStatus.Decided));
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<string, (long, long, long)>(StringComparer.Ordinal);
        while (reader.Read())
            counts[reader.GetString(0)] = (Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture),
                Convert.ToInt64(reader.GetValue(3), CultureInfo.InvariantCulture));
        return counts;
    }

    internal static string Text<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
    private static T Parse<T>(string text) where T : struct, Enum => Enum.Parse<T>(text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true);
    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
