using System.Data.Common;
using Renkei.Infrastructure;

namespace Renkei.Cli.Tests.Schema;

/// <summary>
/// The previous release's schema code, frozen: the DDL the stores ran through <c>Database.EnsureSchema</c> and
/// <c>AuditLogStore.EnsureSchema</c> before versioned migrations, copied unchanged (its string literals and their
/// interpolations) from the releases before them. A database it makes is what a deployment holds today; the migrations must
/// adopt it in place. Never edit this file to follow the scripts: it stands for databases already out there.
/// </summary>
internal static class PreviousRelease
{
    /// <summary>NetworkStore.EnsureSchema and ProvisionRecords (the audit log net_provision_records).</summary>
    public static void Network(Database db)
    {
        var key = db.Provider == DatabaseProvider.PostgreSql ? "BIGINT" : "INTEGER";
        EnsureSchema(db, $"""
            CREATE TABLE IF NOT EXISTS net_settings (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS net_institutions (
                code TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                class TEXT NOT NULL,
                endpoint TEXT NULL,
                signing_key TEXT NOT NULL,
                sealing_key TEXT NOT NULL,
                updated_at BIGINT NOT NULL);
            CREATE TABLE IF NOT EXISTS net_id_codes (
                id_code {key} PRIMARY KEY,
                first_issued_at BIGINT NOT NULL);
            CREATE TABLE IF NOT EXISTS net_token_issuance (
                institution TEXT NOT NULL,
                id_code BIGINT NOT NULL,
                issued_at BIGINT NOT NULL,
                PRIMARY KEY (institution, id_code));
            {Ledger("net_requests")};
            CREATE TABLE IF NOT EXISTS net_batches (
                batch_id TEXT PRIMARY KEY,
                inquirer TEXT NOT NULL,
                affair TEXT NOT NULL,
                provider TEXT NOT NULL,
                kind TEXT NOT NULL,
                policy_date TEXT NULL,
                total INTEGER NOT NULL,
                state TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                created_at BIGINT NOT NULL);
            CREATE INDEX IF NOT EXISTS net_batches_state ON net_batches (state);
            CREATE TABLE IF NOT EXISTS net_batch_items (
                batch_id TEXT NOT NULL,
                item_index INTEGER NOT NULL,
                item_id TEXT NOT NULL,
                inquirer_token BIGINT NOT NULL,
                as_of TEXT NULL,
                attempts INTEGER NOT NULL,
                next_attempt_at BIGINT NOT NULL,
                response TEXT NULL,
                record_sequence BIGINT NULL,
                PRIMARY KEY (batch_id, item_index));
            CREATE TABLE IF NOT EXISTS net_record_index (
                id_code BIGINT NOT NULL,
                sequence BIGINT NOT NULL,
                PRIMARY KEY (id_code, sequence));
            CREATE TABLE IF NOT EXISTS net_record_subjects (
                sequence {key} PRIMARY KEY,
                salt TEXT NOT NULL,
                inquirer_token BIGINT NOT NULL,
                provider_token BIGINT NULL);
            CREATE INDEX IF NOT EXISTS net_token_issuance_person ON net_token_issuance (id_code);
            CREATE TABLE IF NOT EXISTS net_notices (
                notice_id TEXT PRIMARY KEY,
                id_code BIGINT NOT NULL,
                sender TEXT NOT NULL,
                portal TEXT NOT NULL,
                sealed TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                sent_at BIGINT NOT NULL,
                read_at BIGINT NULL);
            CREATE INDEX IF NOT EXISTS net_notices_person ON net_notices (id_code, sent_at)
            """);
        AuditLog(db, "net_provision_records");
    }

    /// <summary>JlisStore, CardStore, JpkiStore, JlisInstitutions, TokenIssuanceService and PortalLoginService.</summary>
    public static void Jlis(Database db)
    {
        var key = db.Provider == DatabaseProvider.PostgreSql ? "BIGINT" : "INTEGER";
        var bytes = db.BytesType;
        EnsureSchema(db, $"""
            CREATE TABLE IF NOT EXISTS jlis_number_map (
                resident_code {key} PRIMARY KEY,
                individual_number BIGINT NOT NULL, -- unique by construction (a keyed permutation), so no index: see the class comment
                generation INTEGER NOT NULL,
                municipality TEXT NOT NULL,
                designated_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS jlis_number_history ( -- numbers superseded by a number change
                individual_number {key} PRIMARY KEY,
                resident_code BIGINT NOT NULL,
                generation INTEGER NOT NULL,
                municipality TEXT NOT NULL,
                designated_at TEXT NOT NULL,
                superseded_at TEXT NULL,
                superseded_reason TEXT NULL,
                UNIQUE (resident_code, generation));
            CREATE TABLE IF NOT EXISTS jlis_resident_codes (
                resident_code {key} PRIMARY KEY,
                municipality TEXT NOT NULL,
                reason TEXT NOT NULL,
                issued_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS jlis_residence ( -- where a resident lives now after a move (転入通知), else the designating municipality applies
                resident_code {key} PRIMARY KEY,
                municipality TEXT NOT NULL,
                since TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS jlis_retired_codes (
                resident_code {key} PRIMARY KEY,
                reason TEXT NOT NULL,
                retired_at TEXT NOT NULL);
            {Ledger("jlis_requests")};
            CREATE TABLE IF NOT EXISTS jlis_settings (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL)
            """);
        EnsureSchema(db, $"""
            CREATE TABLE IF NOT EXISTS card_applications (
                application_id TEXT PRIMARY KEY,
                resident_code BIGINT NOT NULL,
                municipality TEXT NOT NULL,
                name TEXT NOT NULL,
                address TEXT NOT NULL,
                birth_date TEXT NOT NULL,
                sex INTEGER NOT NULL,
                photo TEXT NULL,
                channel TEXT NOT NULL,
                kind TEXT NOT NULL,
                replaces_card TEXT NULL,
                issued_card TEXT NULL,
                received_at TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS card_applications_resident ON card_applications (resident_code);
            CREATE TABLE IF NOT EXISTS card_cards (
                card_number TEXT PRIMARY KEY,
                application_id TEXT NOT NULL UNIQUE,
                resident_code BIGINT NOT NULL,
                municipality TEXT NOT NULL,
                name TEXT NOT NULL,
                address TEXT NOT NULL,
                birth_date TEXT NOT NULL,
                sex INTEGER NOT NULL,
                photo TEXT NULL,
                issued_on TEXT NOT NULL,
                card_expires TEXT NOT NULL,
                state TEXT NOT NULL,
                end_reason TEXT NULL,
                user_serial TEXT NULL,
                user_expires TEXT NULL,
                signing_serial TEXT NULL,
                signing_expires TEXT NULL,
                handed_over_at TEXT NULL,
                replaces_card TEXT NULL);
            CREATE INDEX IF NOT EXISTS card_cards_resident ON card_cards (resident_code);
            CREATE INDEX IF NOT EXISTS card_cards_user_serial ON card_cards (user_serial);
            CREATE TABLE IF NOT EXISTS card_events (
                event_id {db.AutoIdPrimaryKey},
                card_number TEXT NULL,
                application_id TEXT NULL,
                event TEXT NOT NULL,
                at TEXT NOT NULL,
                operator TEXT NOT NULL,
                detail TEXT NULL,
                request_id TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS card_events_card ON card_events (card_number);
            {Ledger("card_requests")}
            """);
        EnsureSchema(db, $"""
            CREATE TABLE IF NOT EXISTS jpki_authorities (
                name TEXT PRIMARY KEY, -- root, signing, user-authentication
                certificate {bytes} NOT NULL,
                crl_number BIGINT NOT NULL,
                crl {bytes} NULL,
                crl_next_update TEXT NULL);
            CREATE TABLE IF NOT EXISTS jpki_certificates (
                kind TEXT NOT NULL, -- signing, user-authentication
                serial TEXT NOT NULL, -- upper-case hexadecimal
                status TEXT NOT NULL, -- good, revoked, suspended
                not_before TEXT NOT NULL,
                not_after TEXT NOT NULL,
                issued_at TEXT NOT NULL,
                revoked_at TEXT NULL,
                revocation_reason TEXT NULL,
                PRIMARY KEY (kind, serial));
            CREATE INDEX IF NOT EXISTS jpki_certificates_listed ON jpki_certificates (kind, status)
            """);
        EnsureSchema(db, """
            CREATE TABLE IF NOT EXISTS jlis_institutions (
                code TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                signing_public_key TEXT NOT NULL,
                registered_at TEXT NOT NULL)
            """);
        EnsureSchema(db, Ledger("jlis_token_requests"));
        EnsureSchema(db, Ledger("jlis_portal_requests"));
    }

    /// <summary>IntermediateStore (with TokenStore), PartyRecordLog (the audit log intermediate_party_records and its claims), InquiryBatchStore and the sent notices.</summary>
    public static void Intermediate(Database db)
    {
        var withoutRowId = db.Provider == DatabaseProvider.PostgreSql ? "" : " WITHOUT ROWID";
        EnsureSchema(db, $"""
            CREATE TABLE IF NOT EXISTS intermediate_copies (
                holder_code TEXT NOT NULL,
                addressee_number BIGINT NOT NULL,
                kind TEXT NOT NULL,
                as_of TEXT NOT NULL,
                version BIGINT NOT NULL,
                body TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (holder_code, addressee_number, kind)){withoutRowId};
            {Ledger("intermediate_requests")};
            {IntermediateTokens}
            """);
        AuditLog(db, "intermediate_party_records");
        EnsureSchema(db, $"""
            CREATE TABLE IF NOT EXISTS intermediate_party_claims (
                role TEXT NOT NULL,
                request_id TEXT NOT NULL,
                item_index INTEGER NOT NULL,
                fingerprint TEXT NOT NULL,
                state TEXT NOT NULL,
                log_head BIGINT NOT NULL,
                claimed_at TEXT NOT NULL,
                response TEXT NULL,
                record_sequence BIGINT NULL,
                PRIMARY KEY (role, request_id, item_index))
            """);
        EnsureSchema(db, """
            CREATE TABLE IF NOT EXISTS intermediate_inquiry_batches (
                batch_id TEXT PRIMARY KEY,
                fingerprint TEXT NOT NULL,
                affair TEXT NOT NULL,
                provider TEXT NOT NULL,
                kind TEXT NOT NULL,
                submitted INTEGER NOT NULL,
                accepted TEXT NOT NULL,
                items INTEGER NOT NULL,
                created_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS intermediate_inquiry_batch_items (
                batch_id TEXT NOT NULL,
                item_index INTEGER NOT NULL,
                item_id TEXT NOT NULL,
                addressee_number BIGINT NOT NULL,
                as_of TEXT NULL,
                PRIMARY KEY (batch_id, item_index))
            """);
        EnsureSchema(db, Ledger("intermediate_sent_notices"));
    }

    /// <summary>
    /// The last release without migrations: <see cref="Intermediate"/> and, from the same release, the holder-action table
    /// <c>HolderActionLog.TableDefinition</c> created on every start (the intermediate schema's script 0002 since).
    /// </summary>
    public static void IntermediateWithHolderActions(Database db)
    {
        Intermediate(db);
        EnsureSchema(db, $"""
            CREATE TABLE IF NOT EXISTS intermediate_holder_actions (
                sequence {db.AutoIdPrimaryKey},
                recorded_at TEXT NOT NULL,
                request_id TEXT NULL,
                operation TEXT NOT NULL,
                staff TEXT NOT NULL,
                terminal TEXT NOT NULL,
                affair TEXT NOT NULL,
                addressee_number BIGINT NULL,
                kind TEXT NULL,
                items BIGINT NOT NULL);
            CREATE INDEX IF NOT EXISTS intermediate_holder_actions_request ON intermediate_holder_actions (request_id)
            """);
    }

    /// <summary>HolderStore and HolderOperationLog (the audit log holder_operation_log).</summary>
    public static void Holders(Database db)
    {
        EnsureSchema(db, $"""
            CREATE TABLE IF NOT EXISTS holder_people (
                person_id {db.AutoIdPrimaryKey},
                individual_number BIGINT NOT NULL,
                display_name TEXT NULL,
                birth_date TEXT NULL,
                sex INTEGER NULL,
                created_at TEXT NOT NULL,
                token_acquired_at TEXT NULL);
            CREATE UNIQUE INDEX IF NOT EXISTS ux_holder_people_number ON holder_people (individual_number);
            CREATE TABLE IF NOT EXISTS pension_members (
                person_id BIGINT PRIMARY KEY REFERENCES holder_people (person_id),
                basic_pension_number TEXT NOT NULL,
                amount_fiscal_year INTEGER NOT NULL);
            CREATE UNIQUE INDEX IF NOT EXISTS ux_pension_members_bpn ON pension_members (basic_pension_number);
            CREATE TABLE IF NOT EXISTS pension_benefits (
                person_id BIGINT NOT NULL REFERENCES pension_members (person_id),
                seq INTEGER NOT NULL,
                pension_type TEXT NOT NULL,
                scheme TEXT NOT NULL,
                disability_grade INTEGER NULL,
                annual_amount BIGINT NOT NULL,
                right_acquired_on TEXT NOT NULL,
                payment_from TEXT NOT NULL,
                payment_until TEXT NULL,
                suspended INTEGER NOT NULL,
                suspended_from TEXT NULL,
                PRIMARY KEY (person_id, seq));
            CREATE TABLE IF NOT EXISTS insurance_qualifications (
                qualification_id {db.AutoIdPrimaryKey},
                person_id BIGINT NOT NULL REFERENCES holder_people (person_id),
                category TEXT NOT NULL,
                insured_person_id BIGINT NULL REFERENCES holder_people (person_id),
                acquired_on TEXT NOT NULL,
                lost_on TEXT NULL,
                loss_reason TEXT NULL);
            CREATE INDEX IF NOT EXISTS ix_insurance_qualifications_person ON insurance_qualifications (person_id);
            CREATE INDEX IF NOT EXISTS ix_insurance_qualifications_insured ON insurance_qualifications (insured_person_id) WHERE insured_person_id IS NOT NULL;
            CREATE TABLE IF NOT EXISTS holder_copy_state (
                person_id BIGINT NOT NULL REFERENCES holder_people (person_id),
                kind TEXT NOT NULL,
                version BIGINT NOT NULL,
                fed_version BIGINT NOT NULL,
                PRIMARY KEY (person_id, kind));
            CREATE INDEX IF NOT EXISTS ix_holder_copy_state_pending ON holder_copy_state (person_id, kind) WHERE version > fed_version;
            {Ledger("holder_requests")}
            """);
        AuditLog(db, "holder_operation_log");
    }

    /// <summary>ResidentRegister, StaffDirectory, TokenHoldings, AddresseeSystem, the five business systems, ApplicationStore and OperationLog (the audit log operation_log).</summary>
    public static void Municipality(Database db)
    {
        EnsureSchema(db, $"""
            CREATE TABLE IF NOT EXISTS register_info (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS households (
                household_number TEXT PRIMARY KEY,
                created_on TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS residents (
                id {db.AutoIdPrimaryKey},
                resident_code BIGINT NOT NULL,
                family_name TEXT NOT NULL,
                given_name TEXT NOT NULL,
                family_name_kana TEXT NOT NULL,
                given_name_kana TEXT NOT NULL,
                birth_date TEXT NOT NULL,
                sex INTEGER NOT NULL,
                address TEXT NOT NULL,
                household_number TEXT NOT NULL,
                relationship INTEGER NOT NULL,
                resident_since TEXT NOT NULL,
                status INTEGER NOT NULL,
                status_date TEXT NULL,
                moved_out_to TEXT NULL,
                foreign_resident INTEGER NOT NULL,
                nationality TEXT NULL);
            CREATE UNIQUE INDEX IF NOT EXISTS ux_residents_code ON residents (resident_code);
            CREATE INDEX IF NOT EXISTS ix_residents_household ON residents (household_number);
            CREATE TABLE IF NOT EXISTS resident_numbers (
                id {db.AutoIdPrimaryKey},
                resident_id BIGINT NOT NULL,
                individual_number BIGINT NOT NULL,
                valid_from TEXT NOT NULL,
                valid_to TEXT NULL,
                reason TEXT NOT NULL);
            -- A resident's current number is their open history row (valid_to NULL): at most one per resident,
            -- and a number belongs to one person, ever (so it is also unique across the register).
            -- Keeping it out of residents means designating a number never rewrites a resident row.
            CREATE UNIQUE INDEX IF NOT EXISTS ux_resident_numbers_number ON resident_numbers (individual_number);
            CREATE UNIQUE INDEX IF NOT EXISTS ux_resident_numbers_current ON resident_numbers (resident_id) WHERE valid_to IS NULL;
            CREATE INDEX IF NOT EXISTS ix_resident_numbers_resident ON resident_numbers (resident_id);
            CREATE TABLE IF NOT EXISTS register_events (
                id {db.AutoIdPrimaryKey},
                resident_id BIGINT NOT NULL,
                event_type TEXT NOT NULL,
                event_date TEXT NOT NULL,
                reason TEXT NOT NULL,
                before_summary TEXT NULL,
                after_summary TEXT NULL,
                request_id TEXT NULL,
                recorded_at TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_register_events_resident ON register_events (resident_id);
            CREATE TABLE IF NOT EXISTS register_requests (
                request_id TEXT PRIMARY KEY,
                event_type TEXT NOT NULL,
                resident_id BIGINT NOT NULL,
                household_number TEXT NOT NULL,
                event_id BIGINT NOT NULL);
            CREATE TABLE IF NOT EXISTS register_counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
            CREATE TABLE IF NOT EXISTS register_imports (
                id {db.AutoIdPrimaryKey},
                imported_at TEXT NOT NULL,
                source TEXT NOT NULL,
                rows_imported BIGINT NOT NULL,
                rows_rejected BIGINT NOT NULL);
            CREATE TABLE IF NOT EXISTS assignment_batches (
                batch_id TEXT PRIMARY KEY,
                seq BIGINT NOT NULL,
                codes {db.BytesType} NOT NULL,
                code_count INTEGER NOT NULL,
                state INTEGER NOT NULL,
                recorded_at TEXT NOT NULL,
                applied_at TEXT NULL,
                assigned INTEGER NOT NULL,
                discarded INTEGER NOT NULL,
                retried INTEGER NOT NULL,
                refused INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS assignment_discards (
                batch_id TEXT NOT NULL,
                resident_code BIGINT NOT NULL,
                reason TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS assignment_attempts (
                resident_code BIGINT PRIMARY KEY,
                attempts INTEGER NOT NULL,
                refused INTEGER NOT NULL,
                last_reason TEXT NOT NULL)
            """);
        EnsureSchema(db, $"""
            CREATE TABLE IF NOT EXISTS staff_accounts (
                staff_id TEXT PRIMARY KEY,
                display_name TEXT NOT NULL,
                role TEXT NOT NULL,
                active INTEGER NOT NULL,
                password_hash TEXT NOT NULL,
                totp_secret {db.BytesType} NOT NULL,
                totp_last_step BIGINT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS staff_affairs (
                staff_id TEXT NOT NULL REFERENCES staff_accounts (staff_id) ON DELETE CASCADE,
                affair_code TEXT NOT NULL,
                PRIMARY KEY (staff_id, affair_code));
            CREATE TABLE IF NOT EXISTS staff_login_failures (
                staff_id TEXT PRIMARY KEY,
                failures INTEGER NOT NULL,
                last_failed_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS staff_lockouts (
                staff_id TEXT PRIMARY KEY,
                lockouts INTEGER NOT NULL,
                locked_until TEXT NOT NULL)
            """);
        EnsureSchema(db, $"""
            CREATE TABLE IF NOT EXISTS token_holdings (
                addressee_number BIGINT PRIMARY KEY,
                source TEXT NOT NULL,
                acquired_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS token_refusals (
                addressee_number BIGINT PRIMARY KEY,
                code TEXT NOT NULL,
                reason TEXT NOT NULL,
                refused_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS token_chunks (
                chunk_id TEXT PRIMARY KEY,
                seq BIGINT NOT NULL,
                payload {db.BytesType} NULL,
                item_count INTEGER NOT NULL,
                state INTEGER NOT NULL,
                recorded_at TEXT NOT NULL,
                applied_at TEXT NULL,
                held INTEGER NOT NULL,
                refused INTEGER NOT NULL,
                not_delivered INTEGER NOT NULL)
            """);
        EnsureSchema(db, $"""
            {Serials("addressee_serials")};
            CREATE TABLE IF NOT EXISTS addressee_persons (
                addressee_number BIGINT PRIMARY KEY,
                resident_id BIGINT NULL,
                origin BIGINT NOT NULL,
                individual_number BIGINT NULL,
                family_name TEXT NULL,
                given_name TEXT NULL,
                family_name_kana TEXT NULL,
                given_name_kana TEXT NULL,
                birth_date TEXT NULL,
                sex BIGINT NULL,
                address TEXT NULL,
                request_id TEXT NULL,
                registered_by TEXT NOT NULL,
                created_at TEXT NOT NULL);
            CREATE UNIQUE INDEX IF NOT EXISTS ux_addressee_persons_resident ON addressee_persons (resident_id) WHERE resident_id IS NOT NULL;
            CREATE UNIQUE INDEX IF NOT EXISTS ux_addressee_persons_number ON addressee_persons (individual_number) WHERE individual_number IS NOT NULL;
            CREATE UNIQUE INDEX IF NOT EXISTS ux_addressee_persons_request ON addressee_persons (request_id) WHERE request_id IS NOT NULL;
            CREATE TABLE IF NOT EXISTS addressee_links (
                system_code TEXT NOT NULL,
                system_person_id BIGINT NOT NULL,
                addressee_number BIGINT NOT NULL,
                linked_at TEXT NOT NULL,
                PRIMARY KEY (system_code, system_person_id));
            CREATE UNIQUE INDEX IF NOT EXISTS ux_addressee_links_addressee ON addressee_links (addressee_number, system_code)
            """);
        foreach (var (prefix, data) in BusinessSystems)
            EnsureSchema(db, $"""
                {Serials(prefix + "serials")};
                CREATE TABLE IF NOT EXISTS {prefix}persons (
                    person_id BIGINT PRIMARY KEY,
                    addressee_number BIGINT NOT NULL,
                    individual_number BIGINT NULL,
                    enrolled_on TEXT NOT NULL,
                    relationship_ended_on TEXT NULL,
                    number_deleted_on TEXT NULL);
                CREATE UNIQUE INDEX IF NOT EXISTS ux_{prefix}persons_addressee ON {prefix}persons (addressee_number);
                CREATE INDEX IF NOT EXISTS ix_{prefix}persons_ended ON {prefix}persons (relationship_ended_on) WHERE individual_number IS NOT NULL;
                CREATE TABLE IF NOT EXISTS {prefix}number_deletions (
                    person_id BIGINT PRIMARY KEY,
                    addressee_number BIGINT NOT NULL,
                    relationship_ended_on TEXT NOT NULL,
                    deleted_on TEXT NOT NULL,
                    logged BIGINT NOT NULL);
                CREATE TABLE IF NOT EXISTS {prefix}feed_outbox (
                    seq {db.AutoIdPrimaryKey},
                    addressee_number BIGINT NOT NULL,
                    changed_at TEXT NOT NULL)
                """ + ";\n" + data);
        var EApplicationSchema = Ledger("app_e_requests") + """
            ;
            CREATE TABLE IF NOT EXISTS app_e_evidence (
                submission_id TEXT PRIMARY KEY,
                applicant BIGINT NOT NULL,
                received_at TEXT NOT NULL,
                signed_at TEXT NOT NULL,
                certificate_serial TEXT NOT NULL,
                document TEXT NOT NULL,
                signature TEXT NOT NULL,
                signing_certificate TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS app_e_applications (
                application_id BIGINT PRIMARY KEY,
                submission_id TEXT NOT NULL,
                procedure TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS app_e_applications_submission ON app_e_applications (submission_id)
            """;
        EnsureSchema(db, $"""
            CREATE TABLE IF NOT EXISTS app_applications (
                id {db.AutoIdPrimaryKey},
                workflow TEXT NOT NULL,
                affair TEXT NOT NULL,
                applicant BIGINT NOT NULL,
                status TEXT NOT NULL,
                received_on TEXT NOT NULL,
                previous_municipality TEXT NULL,
                january_first_municipality TEXT NULL,
                former_insurer TEXT NULL,
                opened_by TEXT NOT NULL,
                opened_at TEXT NOT NULL,
                decision TEXT NULL,
                decided_by TEXT NULL,
                decided_on TEXT NULL,
                decided_with_linkage INTEGER NULL
            );
            CREATE INDEX IF NOT EXISTS app_applications_workflow ON app_applications (workflow, status);
            CREATE INDEX IF NOT EXISTS app_applications_applicant ON app_applications (applicant);
            CREATE TABLE IF NOT EXISTS app_members (
                application_id BIGINT NOT NULL,
                position INTEGER NOT NULL,
                addressee BIGINT NOT NULL,
                role TEXT NOT NULL,
                PRIMARY KEY (application_id, position)
            );
            CREATE TABLE IF NOT EXISTS app_attachments (
                application_id BIGINT NOT NULL,
                position INTEGER NOT NULL,
                code TEXT NOT NULL,
                name TEXT NOT NULL,
                replaced_by_step TEXT NOT NULL,
                state TEXT NOT NULL,
                PRIMARY KEY (application_id, position)
            );
            CREATE TABLE IF NOT EXISTS app_linkage_results (
                id {db.AutoIdPrimaryKey},
                application_id BIGINT NOT NULL,
                step TEXT NOT NULL,
                subject BIGINT NOT NULL,
                channel TEXT NOT NULL,
                provider TEXT NULL,
                kind TEXT NOT NULL,
                outcome TEXT NOT NULL,
                refusal_code TEXT NULL,
                message TEXT NULL,
                as_of TEXT NULL,
                copy_version BIGINT NULL,
                network_record_sequence BIGINT NULL,
                party_record_sequence BIGINT NULL,
                request_id TEXT NULL,
                body TEXT NULL,
                recorded_at TEXT NOT NULL,
                recorded_by TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS app_linkage_results_application ON app_linkage_results (application_id, step);
            {EApplicationSchema}
            """);
        AuditLog(db, "operation_log");
    }
    private static readonly (string Prefix, string Data)[] BusinessSystems =
    [
        ("tax_", """
            CREATE TABLE IF NOT EXISTS tax_assessments (
                person_id BIGINT NOT NULL,
                fiscal_year BIGINT NOT NULL,
                total_income BIGINT NOT NULL,
                basic_deduction BIGINT NOT NULL,
                social_insurance_deduction BIGINT NOT NULL,
                spouse_deduction BIGINT NOT NULL,
                dependant_deduction BIGINT NOT NULL,
                dependants BIGINT NOT NULL,
                dependants_under16 BIGINT NOT NULL,
                taxable_income BIGINT NOT NULL,
                income_levy BIGINT NOT NULL,
                per_capita_levy BIGINT NOT NULL,
                status BIGINT NOT NULL,
                PRIMARY KEY (person_id, fiscal_year))
            """),
        ("ca_", """
            CREATE TABLE IF NOT EXISTS ca_recipients (
                person_id BIGINT PRIMARY KEY,
                household_number TEXT NOT NULL,
                certified_on TEXT NOT NULL,
                monthly_amount BIGINT NOT NULL,
                ended_on TEXT NULL);
            CREATE TABLE IF NOT EXISTS ca_children (
                recipient_person_id BIGINT NOT NULL,
                child_person_id BIGINT NOT NULL,
                child_addressee_number BIGINT NOT NULL,
                child_birth_date TEXT NOT NULL,
                child_order BIGINT NOT NULL,
                monthly_amount BIGINT NOT NULL,
                PRIMARY KEY (recipient_person_id, child_person_id));
            CREATE INDEX IF NOT EXISTS ix_ca_children_child ON ca_children (child_addressee_number)
            """),
        ("ltc_", """
            CREATE TABLE IF NOT EXISTS ltc_insured (
                person_id BIGINT PRIMARY KEY,
                category BIGINT NOT NULL,
                qualified_on TEXT NOT NULL,
                lost_on TEXT NULL,
                care_level BIGINT NOT NULL,
                fiscal_year BIGINT NOT NULL,
                premium_stage BIGINT NULL,
                annual_premium BIGINT NOT NULL)
            """),
        ("nhi_", """
            CREATE TABLE IF NOT EXISTS nhi_households (
                nhi_household_id BIGINT PRIMARY KEY,
                household_number TEXT NOT NULL,
                head_person_id BIGINT NOT NULL,
                fiscal_year BIGINT NOT NULL,
                annual_premium BIGINT NOT NULL,
                reduction_percent BIGINT NOT NULL);
            CREATE TABLE IF NOT EXISTS nhi_members (
                person_id BIGINT PRIMARY KEY,
                nhi_household_id BIGINT NOT NULL,
                qualified_on TEXT NOT NULL,
                lost_on TEXT NULL,
                annual_premium BIGINT NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_nhi_members_household ON nhi_members (nhi_household_id)
            """),
        ("pa_", """
            CREATE TABLE IF NOT EXISTS pa_cases (
                case_id BIGINT PRIMARY KEY,
                household_number TEXT NOT NULL,
                head_person_id BIGINT NOT NULL,
                started_on TEXT NOT NULL,
                ended_on TEXT NULL,
                aid_types TEXT NOT NULL,
                monthly_amount BIGINT NOT NULL);
            CREATE TABLE IF NOT EXISTS pa_members (
                person_id BIGINT PRIMARY KEY,
                case_id BIGINT NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_pa_members_case ON pa_members (case_id)
            """),
    ];

    private static string Ledger(string table) => $"""
        CREATE TABLE IF NOT EXISTS {table} (
            request_id TEXT PRIMARY KEY,
            operation TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            response TEXT NULL,
            received_at TEXT NOT NULL)
        """;

    private static string Serials(string table) => $"CREATE TABLE IF NOT EXISTS {table} (name TEXT PRIMARY KEY, next_value BIGINT NOT NULL)";

    private static string IntermediateTokens => """
        CREATE TABLE IF NOT EXISTS intermediate_tokens (
            holder_code TEXT NOT NULL,
            addressee_number BIGINT NOT NULL,
            token BIGINT NOT NULL,
            bound_at TEXT NOT NULL,
            PRIMARY KEY (holder_code, addressee_number));
        CREATE UNIQUE INDEX IF NOT EXISTS intermediate_tokens_token ON intermediate_tokens (holder_code, token);
        CREATE TABLE IF NOT EXISTS intermediate_token_requests (
            request_id TEXT NOT NULL,
            item_index INTEGER NOT NULL,
            holder_code TEXT NOT NULL,
            addressee_number BIGINT NOT NULL,
            is_batch INTEGER NOT NULL,
            state TEXT NOT NULL,
            registered_at TEXT NOT NULL,
            PRIMARY KEY (request_id, item_index));
        CREATE INDEX IF NOT EXISTS intermediate_token_requests_addressee ON intermediate_token_requests (holder_code, addressee_number)
        """;

    /// <summary>The previous release's <c>Database.EnsureSchema</c>: statements split at ';', one transaction.</summary>
    private static void EnsureSchema(Database db, string ddl)
    {
        using var connection = db.Open();
        using var transaction = connection.BeginTransaction();
        foreach (var statement in ddl.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            connection.Execute(statement, transaction);
        transaction.Commit();
    }

    /// <summary>The previous release's <c>AuditLogStore.EnsureSchema</c> for the log in <paramref name="table"/>.</summary>
    private static void AuditLog(Database db, string table)
    {
        var checkpoints = table + "_checkpoints";
        var bytes = db.BytesType;
        var key = db.Provider == DatabaseProvider.Sqlite ? "INTEGER PRIMARY KEY" : "BIGINT PRIMARY KEY";
        using var connection = db.Open();
        using var transaction = connection.BeginTransaction();
        if (db.Provider == DatabaseProvider.PostgreSql)
            connection.Execute("SELECT pg_advisory_xact_lock(hashtext('renkei-audit-schema'))", transaction);
        connection.Execute($"CREATE TABLE IF NOT EXISTS {table} (sequence {key}, recorded_at BIGINT NOT NULL, payload {bytes} NOT NULL, prev_hash {bytes} NOT NULL, hash {bytes} NOT NULL)", transaction);
        connection.Execute($"CREATE TABLE IF NOT EXISTS {checkpoints} (sequence {key}, hash {bytes} NOT NULL, signed_at BIGINT NOT NULL, signature {bytes} NOT NULL, covered_hashes {bytes} NULL, coverage_signature {bytes} NULL)", transaction);
        AddCoverageColumns(db, connection, transaction, checkpoints);
        foreach (var guarded in new[] { table, checkpoints })
        {
            if (db.Provider == DatabaseProvider.Sqlite)
            {
                connection.Execute($"CREATE TRIGGER IF NOT EXISTS {guarded}_no_update BEFORE UPDATE ON {guarded} BEGIN SELECT RAISE(ABORT, 'the audit log {guarded} is append-only'); END", transaction);
                connection.Execute($"CREATE TRIGGER IF NOT EXISTS {guarded}_no_delete BEFORE DELETE ON {guarded} BEGIN SELECT RAISE(ABORT, 'the audit log {guarded} is append-only'); END", transaction);
            }
            else
            {
                connection.Execute("""
                    CREATE OR REPLACE FUNCTION renkei_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
                    $$ BEGIN RAISE EXCEPTION 'the audit log % is append-only', TG_TABLE_NAME; END $$
                    """, transaction);
                connection.Execute($"CREATE OR REPLACE TRIGGER {guarded}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {guarded} FOR EACH STATEMENT EXECUTE FUNCTION renkei_audit_append_only()", transaction);
            }
        }
        transaction.Commit();
    }

    /// <summary>Adds the coverage columns to a checkpoint table made before they existed (its rows keep null: no coverage).</summary>
    private static void AddCoverageColumns(Database db, DbConnection connection, DbTransaction transaction, string checkpoints)
    {
        if (db.Provider == DatabaseProvider.PostgreSql)
        {
            connection.Execute($"ALTER TABLE {checkpoints} ADD COLUMN IF NOT EXISTS covered_hashes BYTEA NULL, ADD COLUMN IF NOT EXISTS coverage_signature BYTEA NULL", transaction);
            return;
        }
        using var columns = connection.Command($"SELECT COUNT(*) FROM pragma_table_info('{checkpoints}') WHERE name = 'covered_hashes'", transaction);
        if (columns.ScalarInt64() > 0) return;
        connection.Execute($"ALTER TABLE {checkpoints} ADD COLUMN covered_hashes BLOB NULL", transaction);
        connection.Execute($"ALTER TABLE {checkpoints} ADD COLUMN coverage_signature BLOB NULL", transaction);
    }
}
