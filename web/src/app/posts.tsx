// Community posts: write, like, comment and report.
import { useState } from "preact/hooks";
import { api, ok, type Schemas } from "../api/client";
import { t } from "../lib/i18n";
import { cid } from "../lib/session";
import { ActionForm, Button, ErrorNote, Field, Form, ListOf, LoadMore, PagedList, Section, TextArea, Time, useAction, usePaged } from "../ui/kit";

type Post = Schemas["Post"];

function Comments({ post, onAdded }: { post: Post; onAdded: () => void }) {
  const list = usePaged((cursor) => ok(api.GET("/v1/communities/{cid}/posts/{id}/comments", { params: { path: { cid: cid.value, id: post.id }, query: { limit: 20, cursor } as never } })) as Promise<{ items: Schemas["Comment"][]; next_cursor: string | null }>, [post.id]);
  const [body, setBody] = useState("");
  const a = useAction();
  return (
    <div class="comments">
      <ListOf items={list.items} class="plain list" lines={1}>
        {(c) => (
          <li>
            {c.body}
            <br />
            <small>
              <Time at={c.created_at} />
            </small>
          </li>
        )}
      </ListOf>
      <LoadMore list={list} />
      <Form class="row" onSubmit={() =>
        a.run(async () => {
          const c = await ok(api.POST("/v1/communities/{cid}/posts/{id}/comments", { params: { path: { cid: cid.value, id: post.id } }, body: { body } }));
          setBody("");
          list.add(c, true);
          onAdded();
        })
      }>
        <Field label={t("posts.comment")} name="comment" value={body} onValue={setBody} required error={a.fields.body} />
        <Button type="submit" busy={a.busy}>
          {t("posts.send")}
        </Button>
      </Form>
      <ErrorNote error={a.error} shownFields={["body"]} />
    </div>
  );
}

function Report({ post, onDone }: { post: Post; onDone: () => void }) {
  const [reason, setReason] = useState("");
  const a = useAction();
  return (
    <ActionForm action={a} submit={t("posts.sendReport")} buttonClass="" shownFields={["reason"]} onSubmit={async () => {
      await ok(api.POST("/v1/communities/{cid}/posts/{id}/report", { params: { path: { cid: cid.value, id: post.id } }, body: { reason } }));
      onDone();
    }}>
      <Field label={t("posts.reason")} name="reason" value={reason} onValue={setReason} required error={a.fields.reason} />
    </ActionForm>
  );
}

function PostCard({ post, onChange }: { post: Post; onChange: (p: Post) => void }) {
  const [panel, setPanel] = useState<"" | "comments" | "report">("");
  const [reported, setReported] = useState(false);
  const a = useAction();
  const like = () =>
    a.run(async () => {
      const p = { params: { path: { cid: cid.value, id: post.id } } };
      const r = post.liked_by_me ? await ok(api.DELETE("/v1/communities/{cid}/posts/{id}/likes", p)) : await ok(api.POST("/v1/communities/{cid}/posts/{id}/likes", p));
      onChange({ ...post, liked_by_me: r.liked, like_count: r.like_count });
    });
  return (
    <li class="card" data-post={post.id}>
      <p>{post.body}</p>
      <p class="meta">
        <Time at={post.created_at} />
      </p>
      <div class="actions">
        <Button busy={a.busy} aria-pressed={post.liked_by_me ? "true" : "false"} onClick={like}>
          {post.liked_by_me ? "♥" : "♡"} {t("posts.likes", { count: post.like_count ?? 0 })}
        </Button>
        <Button aria-expanded={panel === "comments" ? "true" : "false"} onClick={() => setPanel(panel === "comments" ? "" : "comments")}>
          {t("posts.comments", { count: post.comment_count ?? 0 })}
        </Button>
        {!reported && (
          <Button class="ghost" aria-expanded={panel === "report" ? "true" : "false"} onClick={() => setPanel(panel === "report" ? "" : "report")}>
            {t("posts.report")}
          </Button>
        )}
      </div>
      <ErrorNote error={a.error} />
      {reported && <p class="meta" role="status">{t("posts.reported")}</p>}
      {panel === "comments" && <Comments post={post} onAdded={() => onChange({ ...post, comment_count: (post.comment_count ?? 0) + 1 })} />}
      {panel === "report" && (
        <Report
          post={post}
          onDone={() => {
            setReported(true);
            setPanel("");
          }}
        />
      )}
    </li>
  );
}

export function Posts() {
  const list = usePaged((cursor) => ok(api.GET("/v1/communities/{cid}/posts", { params: { path: { cid: cid.value }, query: { limit: 10, cursor } as never } })) as Promise<{ items: Post[]; next_cursor: string | null }>, [cid.value]);
  const [body, setBody] = useState("");
  const a = useAction();
  const replace = (p: Post) => list.replace(p);
  return (
    <Section id="posts-h" title={t("posts.title")}>
      <ActionForm class="card" action={a} submit={t("posts.publish")} shownFields={["body"]} onSubmit={async () => {
        const p = await ok(api.POST("/v1/communities/{cid}/posts", { params: { path: { cid: cid.value } }, body: { body } }));
        setBody("");
        list.add(p);
      }}>
        <TextArea label={t("posts.new")} name="body" value={body} onValue={setBody} required error={a.fields.body} />
      </ActionForm>
      <PagedList list={list} class="plain cards" lines={4} empty={t("posts.none")}>
        {(p) => <PostCard key={p.id} post={p} onChange={replace} />}
      </PagedList>
    </Section>
  );
}
