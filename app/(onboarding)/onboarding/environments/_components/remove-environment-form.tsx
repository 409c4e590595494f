"use client";

import { useEffect, useRef, useState } from "react";
import { useFormStatus } from "react-dom";
import { removeEnvironmentAction } from "@/app/(onboarding)/onboarding/actions";
import { Button } from "@/components/ui/button";

function ConfirmButton({ name }: { name: string }) {
  const { pending } = useFormStatus();
  return (
    <Button type="submit" variant="danger" size="sm" disabled={pending} data-autofocus>
      Yes, remove {name}
    </Button>
  );
}

/**
 * "Remove" asks before it deletes (docs/architecture.md, destructive actions): the first button only reveals
 * the question and a second, explicit "Yes, remove …" that posts the form; "Cancel" (or Escape) puts things
 * back. Focus follows: to the confirmation when it opens, back to "Remove" when it is cancelled.
 */
export function RemoveEnvironmentForm({ environmentId, name }: { environmentId: string; name: string }) {
  const [confirming, setConfirming] = useState(false);
  const group = useRef<HTMLDivElement>(null);
  const remove = useRef<HTMLButtonElement>(null);
  const moved = useRef(false);

  useEffect(() => {
    // Only after a click: the first render leaves focus where the page put it.
    if (!moved.current) return;
    if (confirming) group.current?.querySelector<HTMLButtonElement>("[data-autofocus]")?.focus();
    else remove.current?.focus();
  }, [confirming]);

  const toggle = (next: boolean) => {
    moved.current = true;
    setConfirming(next);
  };

  return (
    <form action={removeEnvironmentAction} className="sm:text-right">
      <input type="hidden" name="environmentId" value={environmentId} />
      {confirming ? (
        <div
          ref={group}
          role="group"
          aria-labelledby={`remove-${environmentId}-question`}
          className="flex flex-wrap items-center gap-2 sm:justify-end"
          onKeyDown={(event) => {
            if (event.key === "Escape") toggle(false);
          }}
        >
          <p id={`remove-${environmentId}-question`} className="w-full text-sm text-slate-800">
            Remove {name} and its check history from this portal? Nothing changes in the environment itself.
          </p>
          <ConfirmButton name={name} />
          <Button variant="secondary" size="sm" onClick={() => toggle(false)}>
            Cancel
          </Button>
        </div>
      ) : (
        <Button ref={remove} variant="secondary" size="sm" aria-label={`Remove ${name}`} onClick={() => toggle(true)}>
          Remove
        </Button>
      )}
    </form>
  );
}
